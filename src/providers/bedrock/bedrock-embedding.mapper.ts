import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { EmbeddingRequest, EmbeddingResult } from '../llm-provider.types.js';
import { malformed } from './bedrock-response.mapper.js';

/**
 * Pure translation for Amazon Titan text embeddings through InvokeModel (wire-formats 5, the
 * embeddings row): one call per input, body `{inputText, dimensions?}`, answer
 * `{embedding, inputTextTokenCount}`. Other embedding models on Bedrock have their own bodies.
 */

const TITAN_EMBED = /(^|[.:/])amazon\.titan-embed-/;

/** One Titan answer, read. */
export interface TitanEmbedding {
  readonly embedding: number[];
  readonly tokens: number;
}

/**
 * The texts to embed, one InvokeModel call each.
 * @throws GatewayError 400 for a model that is not Titan, or token-id input (Titan takes text).
 */
export function titanInputs(request: EmbeddingRequest, model: string): string[] {
  if (!TITAN_EMBED.test(model)) {
    throw new GatewayError(
      ErrorCode.UnsupportedCapability,
      `Provider 'bedrock' serves embeddings with Amazon Titan text models (amazon.titan-embed-*), not '${model}'.`,
      { param: 'model', provider: 'bedrock' },
    );
  }
  const input = request.input;
  if (typeof input === 'string') return [input];
  if (input.every((item): item is string => typeof item === 'string')) return [...input];
  throw new GatewayError(
    ErrorCode.UnsupportedCapability,
    "Provider 'bedrock' embeds text only; token-id arrays cannot be sent to Titan.",
    { param: 'input', provider: 'bedrock' },
  );
}

/** The InvokeModel body for one text. */
export function toTitanBody(text: string, dimensions: number | undefined): string {
  return JSON.stringify(
    dimensions === undefined ? { inputText: text } : { inputText: text, dimensions },
  );
}

/** Reads one InvokeModel answer body (JSON bytes). */
export function readTitanEmbedding(body: Uint8Array | undefined): TitanEmbedding {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body ?? new Uint8Array()).toString('utf8'));
  } catch {
    throw malformed('the embedding answer is not JSON');
  }
  const raw = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const embedding = raw.embedding;
  if (!Array.isArray(embedding) || !embedding.every((v) => typeof v === 'number')) {
    throw malformed('the embedding answer has no embedding');
  }
  const tokens = typeof raw.inputTextTokenCount === 'number' ? raw.inputTextTokenCount : 0;
  return { embedding, tokens };
}

/** All answers, in input order, as one result. */
export function toEmbeddingResult(
  model: string,
  answers: readonly TitanEmbedding[],
): EmbeddingResult {
  const tokens = answers.reduce((sum, answer) => sum + answer.tokens, 0);
  return {
    model,
    data: answers.map((answer, index) => ({ index, embedding: answer.embedding })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
