import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { EmbeddingRequest, EmbeddingResult } from '../llm-provider.types.js';
import { estimateEmbeddingInputTokens } from '../usage-estimate.js';
import { GEMINI_PROVIDER_ID } from './gemini.errors.js';
import { malformed } from './gemini-response.mapper.js';

/**
 * Embeddings through Gemini (wire-formats 4.5): `embedContent` for one text, `batchEmbedContents`
 * for several, `dimensions` as `outputDimensionality`. Gemini embeds text only and reports no
 * token counts, so token-id inputs are refused and usage is the gateway's shared estimate. Pure.
 */

type Json = Record<string, unknown>;

/** The texts to embed, in order. */
export function embeddingTexts(request: EmbeddingRequest): string[] {
  const { input } = request;
  if (typeof input === 'string') return [input];
  const texts = (input as readonly unknown[]).filter((i): i is string => typeof i === 'string');
  if (texts.length !== input.length || texts.length === 0) {
    throw new GatewayError(
      ErrorCode.UnsupportedCapability,
      `Provider '${GEMINI_PROVIDER_ID}' embeds text only; send strings, not token ids.`,
      { param: 'input', provider: GEMINI_PROVIDER_ID },
    );
  }
  return texts;
}

/** The `embedContent` body for one text. */
export function toEmbedContentBody(text: string, dimensions: number | undefined): Json {
  const body: Json = { content: { parts: [{ text }] } };
  if (dimensions !== undefined) body.outputDimensionality = dimensions;
  return body;
}

/** The `batchEmbedContents` body: each request names the model of the URL, as Gemini requires. */
export function toBatchEmbedBody(
  texts: readonly string[],
  model: string,
  dimensions: number | undefined,
): Json {
  return {
    requests: texts.map((text) => ({
      model: `models/${model}`,
      ...toEmbedContentBody(text, dimensions),
    })),
  };
}

/** Either answer (`{embedding}` or `{embeddings: [...]}`), with exactly one vector per text. */
export function toEmbeddingResult(
  body: unknown,
  request: EmbeddingRequest,
  model: string,
  count: number,
): EmbeddingResult {
  const raw = asRecord(body);
  const list = raw?.embeddings ?? (raw?.embedding === undefined ? undefined : [raw.embedding]);
  if (!Array.isArray(list)) throw malformed('the answer has no embeddings');
  if (list.length !== count) {
    throw malformed(`the answer has ${list.length} embeddings for ${count} inputs`);
  }
  const data = list.map((entry: unknown, index) => {
    const values = asRecord(entry)?.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw malformed('an embedding has no values');
    }
    return { index, embedding: values };
  });
  const tokens = estimateEmbeddingInputTokens(request.input);
  return { model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}
