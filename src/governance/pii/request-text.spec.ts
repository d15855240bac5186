import { describe, expect, it } from '@jest/globals';
import type {
  ChatCompletionRequest,
  EmbeddingRequest,
} from '../../providers/llm-provider.types.js';
import { RequestText } from './request-text.js';

const upper = (text: RequestText) => {
  for (const slot of text.slots) slot.replace(slot.text.toUpperCase());
  text.commit();
};

describe(RequestText.name, () => {
  it('finds every text the upstream will see in a chat request, and writes each back', () => {
    const body: ChatCompletionRequest = {
      model: 'm',
      messages: [
        { role: 'system', content: 'sys' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'part' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c',
              type: 'function',
              function: { name: 'f', arguments: '{"q":["x",{"y":"z"}],"n":1}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c', content: 'result' },
      ],
    };
    const text = RequestText.of('chat', body);
    expect(text.slots.map((s) => s.text)).toEqual(['sys', 'part', 'x', 'z', 'result']);
    upper(text);
    expect(body.messages[0].content).toBe('SYS');
    expect(body.messages[1].content).toEqual([
      { type: 'text', text: 'PART' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ]);
    expect(JSON.parse(body.messages[2].tool_calls![0].function.arguments)).toEqual({
      q: ['X', { y: 'Z' }],
      n: 1,
    });
    expect(body.messages[3].content).toBe('RESULT');
  });

  it("scans a chat's prediction, as a string or text parts, since the upstream receives it", () => {
    const asString: ChatCompletionRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      prediction: { type: 'content', content: 'draft' },
    };
    const first = RequestText.of('chat', asString);
    expect(first.slots.map((s) => s.text)).toEqual(['hi', 'draft']);
    upper(first);
    expect(asString.prediction).toEqual({ type: 'content', content: 'DRAFT' });

    const asParts: ChatCompletionRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      prediction: { type: 'content', content: [{ type: 'text', text: 'a' }] },
    };
    upper(RequestText.of('chat', asParts));
    expect(asParts.prediction?.content).toEqual([{ type: 'text', text: 'A' }]);
  });

  it('leaves tool arguments byte for byte when nothing in them was replaced', () => {
    const args = '{ "a" : "keep",  "b": 2 }';
    const body: ChatCompletionRequest = {
      model: 'm',
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }],
        },
      ],
    };
    const text = RequestText.of('chat', body);
    text.commit();
    expect(body.messages[0].tool_calls![0].function.arguments).toBe(args);
  });

  it('scans arguments that are not JSON, or nested past 64 levels, as plain text', () => {
    const deep = `${'['.repeat(100)}"v"${']'.repeat(100)}`;
    for (const args of ['{not json', deep]) {
      const body: ChatCompletionRequest = {
        model: 'm',
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }],
          },
        ],
      };
      const text = RequestText.of('chat', body);
      expect(text.slots.map((s) => s.text)).toEqual([args]);
      upper(text);
      expect(body.messages[0].tool_calls![0].function.arguments).toBe(args.toUpperCase());
    }
  });

  it('keeps a JSON key named __proto__ a key when its value is replaced', () => {
    const body: ChatCompletionRequest = {
      model: 'm',
      messages: [
        {
          role: 'assistant',
          tool_calls: [
            { id: 'c', type: 'function', function: { name: 'f', arguments: '{"__proto__":"v"}' } },
          ],
        },
      ],
    };
    const text = RequestText.of('chat', body);
    upper(text);
    expect(body.messages[0].tool_calls![0].function.arguments).toBe('{"__proto__":"V"}');
  });

  it('covers embeddings input, a string or a list of strings, and skips token arrays', () => {
    const one: EmbeddingRequest = { model: 'e', input: 'hello' };
    upper(RequestText.of('embeddings', one));
    expect(one.input).toBe('HELLO');
    const many: EmbeddingRequest = { model: 'e', input: ['a', 'b'] };
    upper(RequestText.of('embeddings', many));
    expect(many.input).toEqual(['A', 'B']);
    expect(RequestText.of('embeddings', { model: 'e', input: [1, 2, 3] }).slots).toEqual([]);
  });
});
