import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { EmbeddingRequest } from '../llm-provider.types.js';
import {
  embeddingTexts,
  toBatchEmbedBody,
  toEmbedContentBody,
  toEmbeddingResult,
} from './gemini-embedding.mapper.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

const request = (input: EmbeddingRequest['input']): EmbeddingRequest => ({
  model: 'gemini-embedding-001',
  input,
});

describe('Gemini embeddings mapping', () => {
  it('builds embedContent and batchEmbedContents bodies, with outputDimensionality', () => {
    expect(toEmbedContentBody('hello', 256)).toEqual({
      content: { parts: [{ text: 'hello' }] },
      outputDimensionality: 256,
    });
    expect(toBatchEmbedBody(['a', 'b'], 'gemini-embedding-001', undefined)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
      ],
    });
  });

  it('reads either answer in input order, with the shared usage estimate', () => {
    const one = toEmbeddingResult(
      fixture('embed-content.json'),
      request('hello'),
      'gemini-embedding-001',
      1,
    );
    expect(one).toEqual({
      model: 'gemini-embedding-001',
      data: [{ index: 0, embedding: [0.0123, -0.0456, 0.0789, 0.1011] }],
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    const two = toEmbeddingResult(
      fixture('batch-embed-contents.json'),
      request(['alpha', 'beta']),
      'gemini-embedding-001',
      2,
    );
    expect(two.data.map((d) => d.index)).toEqual([0, 1]);
    expect(two.data[1].embedding).toEqual([-0.2, 0.31, 0.044, -0.05]);
  });

  it('refuses token-id inputs: Gemini embeds text only', () => {
    for (const input of [[1, 2, 3], [[1, 2]]] as EmbeddingRequest['input'][]) {
      let error: unknown;
      try {
        embeddingTexts(request(input));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe(ErrorCode.UnsupportedCapability);
      expect((error as GatewayError).param).toBe('input');
    }
    expect(embeddingTexts(request(['a', 'b']))).toEqual(['a', 'b']);
  });

  it('calls an answer with the wrong number of vectors malformed', () => {
    expect(() =>
      toEmbeddingResult(fixture('embed-content.json'), request(['a', 'b']), 'm', 2),
    ).toThrow(UpstreamHttpError);
    expect(() => toEmbeddingResult({ embeddings: [{}] }, request('a'), 'm', 1)).toThrow(
      'an embedding has no values',
    );
  });
});
