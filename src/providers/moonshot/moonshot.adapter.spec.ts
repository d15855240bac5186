import { liftChoiceUsage } from './moonshot.adapter.js';

describe('Moonshot stream usage', () => {
  it('moves usage from inside the finish choice to the top level', () => {
    const usage = { prompt_tokens: 19, completion_tokens: 13, total_tokens: 32 };
    const chunk: Record<string, unknown> = {
      id: 'c',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage }],
    };
    liftChoiceUsage(chunk);
    expect(chunk.usage).toEqual(usage);
    expect((chunk.choices as Record<string, unknown>[])[0]).not.toHaveProperty('usage');
  });

  it('leaves a top-level usage and choice-less chunks alone', () => {
    const top = { usage: { prompt_tokens: 1 }, choices: [{ usage: { prompt_tokens: 2 } }] };
    liftChoiceUsage(top);
    expect(top.usage).toEqual({ prompt_tokens: 1 });
    const none: Record<string, unknown> = { choices: [{ delta: { content: 'x' } }] };
    liftChoiceUsage(none);
    expect(none).not.toHaveProperty('usage');
  });
});
