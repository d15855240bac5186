import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { EmbeddingRequest } from '../providers/llm-provider.types.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';

/** OpenAI's CreateEmbeddingResponse. */
export interface EmbeddingResponse {
  object: 'list';
  model: string;
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

/** POST /v1/embeddings: dispatch by model; encode base64 when the caller asks (the SDK default). */
@Injectable()
export class EmbeddingsService {
  constructor(private readonly registry: ProviderRegistry) {}

  async create(
    request: EmbeddingRequest,
    traceId: string,
    signal: AbortSignal,
  ): Promise<{ providerId: string; response: EmbeddingResponse }> {
    const { provider, upstreamModel } = this.registry.resolve(request.model);
    if (!provider.capabilities(upstreamModel).embeddings) {
      throw new GatewayError(
        ErrorCode.UnsupportedCapability,
        `Provider '${provider.id}' does not offer embeddings.`,
        { param: 'model', provider: provider.id },
      );
    }
    const result = await provider.embed(request, { model: upstreamModel, traceId, signal });
    const base64 = request.encoding_format === 'base64';
    return {
      providerId: provider.id,
      response: {
        object: 'list',
        model: result.model,
        data: result.data.map((d) => ({
          object: 'embedding',
          index: d.index,
          embedding: base64 ? toBase64Float32(d.embedding) : d.embedding,
        })),
        usage: result.usage,
      },
    };
  }
}

/** Little-endian float32, as OpenAI encodes it and its SDKs decode it. */
export function toBase64Float32(vector: readonly number[]): string {
  const buffer = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buffer.writeFloatLE(vector[i], i * 4);
  return buffer.toString('base64');
}
