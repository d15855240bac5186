import type { ChatCompletion, ChatCompletionChunk } from '../../../providers/llm-provider.types.js';
import type { AnswerRewriter } from '../pii.types.js';
import { rewriteCompletion } from './pii-completion.rewriter.js';
import { PiiStreamRewriter } from './pii-stream.rewriter.js';

/** Token log probabilities (contract 4.2 `logprobs`) never carry text the PII stage rewrote. */

const SECRET = 'alice@example.com';
const masking: AnswerRewriter = {
  edits: (text) => {
    const start = text.indexOf(SECRET);
    return start === -1 ? [] : [{ start, end: start + SECRET.length, replacement: '[EMAIL]' }];
  },
  rewriteArguments: (args) => ({ text: args, found: [] }),
  blocks: false,
  found: () => undefined,
};
const logprobs = { content: [{ token: 'alice', logprob: -0.1, bytes: null, top_logprobs: [] }] };

const completion = (content: string): ChatCompletion => ({
  id: 'c',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content, refusal: null },
      finish_reason: 'stop',
      logprobs,
    },
  ],
});

describe('PII answer rewriting and logprobs', () => {
  it('drops the logprobs of a rewritten choice and keeps those of an untouched one', () => {
    expect(rewriteCompletion(completion(`Mail ${SECRET}`), masking).choices[0]).toMatchObject({
      message: { content: 'Mail [EMAIL]' },
      logprobs: null,
    });
    expect(rewriteCompletion(completion('Nothing here'), masking).choices[0].logprobs).toBe(
      logprobs,
    );
  });

  it('sends a scanned stream without logprobs', () => {
    const rewriter = new PiiStreamRewriter(masking, 64);
    const chunk: ChatCompletionChunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null, logprobs }],
    };
    const out = rewriter.next(chunk);
    expect(out).toHaveLength(1);
    expect(out[0].choices[0].logprobs).toBeNull();
  });
});
