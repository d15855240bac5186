import { toMistralToolCallId } from './mistral-tool-call-id.js';
import { mistralFinishReason, toMistralBody } from './mistral.adapter.js';

describe('Mistral request rules', () => {
  it('sends seed as random_seed and max_completion_tokens as max_tokens', () => {
    const body: Record<string, unknown> = {
      model: 'mistral-small-latest',
      messages: [],
      seed: 7,
      max_completion_tokens: 64,
      user: 'end-user-1',
      metadata: { team: 'a' },
    };
    toMistralBody(body);
    expect(body).toEqual({
      model: 'mistral-small-latest',
      messages: [],
      random_seed: 7,
      max_tokens: 64,
    });
  });

  it('keeps an explicit max_tokens over max_completion_tokens', () => {
    const body: Record<string, unknown> = { max_tokens: 10, max_completion_tokens: 99 };
    toMistralBody(body);
    expect(body).toEqual({ max_tokens: 10 });
  });

  it('rewrites foreign tool-call ids to nine alphanumerics, the same on both sides', () => {
    const body: Record<string, unknown> = {
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_abc123', type: 'function', function: { name: 'f', arguments: '{}' } },
            { id: 'Ab3dE5gH9', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_abc123', content: '1' },
        { role: 'tool', tool_call_id: 'Ab3dE5gH9', content: '2' },
      ],
    };
    toMistralBody(body);
    const [assistant, first, second] = body.messages as {
      tool_calls?: { id: string }[];
      tool_call_id?: string;
    }[];
    const rewritten = assistant.tool_calls![0].id;
    expect(rewritten).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(first.tool_call_id).toBe(rewritten);
    expect(assistant.tool_calls![1].id).toBe('Ab3dE5gH9');
    expect(second.tool_call_id).toBe('Ab3dE5gH9');
  });

  it('maps distinct ids to distinct ids, deterministically', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `call_${i}`).map(toMistralToolCallId);
    expect(new Set(ids).size).toBe(200);
    expect(toMistralToolCallId('call_7')).toBe(ids[7]);
  });

  it('maps model_length to length and leaves unknown reasons unmapped', () => {
    expect(mistralFinishReason('model_length')).toBe('length');
    expect(mistralFinishReason('error')).toBeUndefined();
  });
});
