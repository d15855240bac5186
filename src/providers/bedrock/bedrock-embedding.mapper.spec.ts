import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import {
  readTitanEmbedding,
  titanInputs,
  toEmbeddingResult,
  toTitanBody,
} from './bedrock-embedding.mapper.js';

const TITAN = 'amazon.titan-embed-text-v2:0';

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Titan embeddings mapping', () => {
  it('embeds a string or each string of a list, one call each', () => {
    expect(titanInputs({ model: `bedrock/${TITAN}`, input: 'alpha' }, TITAN)).toEqual(['alpha']);
    expect(titanInputs({ model: `bedrock/${TITAN}`, input: ['a', 'b'] }, TITAN)).toEqual([
      'a',
      'b',
    ]);
    expect(titanInputs({ model: 'x', input: 'a' }, `us.${TITAN}`)).toEqual(['a']);
  });

  it('refuses a model that is not a Titan text embedding model', () => {
    const error = thrown(() =>
      titanInputs(
        { model: 'bedrock/cohere.embed-english-v3', input: 'a' },
        'cohere.embed-english-v3',
      ),
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: ErrorCode.UnsupportedCapability,
      param: 'model',
      status: 400,
    });
  });

  it('refuses token ids, which Titan cannot take', () => {
    const error = thrown(() => titanInputs({ model: 'x', input: [[1, 2, 3]] }, TITAN));
    expect(error).toMatchObject({ code: ErrorCode.UnsupportedCapability, param: 'input' });
  });

  it('sends dimensions only when asked', () => {
    expect(JSON.parse(toTitanBody('hi', undefined))).toEqual({ inputText: 'hi' });
    expect(JSON.parse(toTitanBody('hi', 256))).toEqual({ inputText: 'hi', dimensions: 256 });
  });

  it('reads an InvokeModel answer and sums the token counts', () => {
    const answer = readTitanEmbedding(fixtureBytes('titan-embedding.json'));
    expect(answer).toEqual({ embedding: [0.0213, -0.0532, 0.0914, -0.0041], tokens: 5 });

    expect(toEmbeddingResult(TITAN, [answer, { embedding: [1], tokens: 2 }])).toEqual({
      model: TITAN,
      data: [
        { index: 0, embedding: [0.0213, -0.0532, 0.0914, -0.0041] },
        { index: 1, embedding: [1] },
      ],
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  });

  it('refuses an answer that is not JSON or has no vector', () => {
    expect(thrown(() => readTitanEmbedding(new TextEncoder().encode('<html>')))).toBeInstanceOf(
      UpstreamHttpError,
    );
    expect(
      thrown(() => readTitanEmbedding(new TextEncoder().encode('{"embedding":"x"}'))),
    ).toMatchObject({ kind: 'malformed_response' });
  });
});
