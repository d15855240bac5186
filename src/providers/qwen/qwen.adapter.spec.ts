import { dropEmptyToolCallIds } from './qwen.adapter.js';

describe('Qwen tool-call continuations', () => {
  it('turns an empty-id delta into a continuation of the open call', () => {
    const chunk = {
      choices: [
        {
          delta: {
            tool_calls: [{ index: 0, id: '', type: 'function', function: { arguments: '{"a"' } }],
          },
        },
      ],
    };
    dropEmptyToolCallIds(chunk);
    expect(chunk.choices[0].delta.tool_calls[0]).toEqual({
      index: 0,
      function: { arguments: '{"a"' },
    });
  });

  it('keeps the id of the delta that opens a call', () => {
    const call = { index: 0, id: 'call_1', type: 'function', function: { name: 'f' } };
    const chunk = { choices: [{ delta: { tool_calls: [call] } }] };
    dropEmptyToolCallIds(chunk);
    expect(chunk.choices[0].delta.tool_calls[0]).toEqual(call);
  });
});
