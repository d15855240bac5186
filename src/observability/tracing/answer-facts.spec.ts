import { AnswerFacts } from './answer-facts.js';

describe(AnswerFacts.name, () => {
  it('reads a chat completion: model, id, finish reasons and usage', () => {
    const facts = new AnswerFacts();
    facts.observe({
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ finish_reason: 'stop' }, { finish_reason: 'length' }],
      usage: { prompt_tokens: 12, completion_tokens: 7 },
    });
    expect(facts).toMatchObject({
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini-2024-07-18',
      inputTokens: 12,
      outputTokens: 7,
    });
    expect(facts.finishReasons).toEqual(['stop', 'length']);
  });

  it('gathers a stream chunk by chunk: first id and model, every finish reason once, the usage chunk', () => {
    const facts = new AnswerFacts();
    facts.observe({ id: 'c-1', model: 'm', choices: [{ finish_reason: null }] });
    facts.observe({ id: 'c-1', model: 'm', choices: [{ finish_reason: 'tool_calls' }] });
    facts.observe({ id: 'c-1', model: 'm', choices: [{ finish_reason: 'tool_calls' }] });
    facts.observe({
      id: 'c-1',
      model: 'm',
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 9 },
    });
    expect(facts.finishReasons).toEqual(['tool_calls']);
    expect(facts).toMatchObject({ id: 'c-1', model: 'm', inputTokens: 3, outputTokens: 9 });
  });

  it('reads an embeddings result and ignores what it does not know', () => {
    const facts = new AnswerFacts();
    facts.observe('text');
    facts.observe(null);
    facts.observe({
      model: 'text-embedding-3-small',
      data: [],
      usage: { prompt_tokens: 5, total_tokens: 5 },
    });
    expect(facts).toMatchObject({ model: 'text-embedding-3-small', inputTokens: 5 });
    expect(facts.outputTokens).toBeUndefined();
    expect(facts.finishReasons).toBeUndefined();
    expect(facts.id).toBeUndefined();
  });
});
