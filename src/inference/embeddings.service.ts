import { Injectable } from '@nestjs/common';
import type { CancelSignal } from '../common/cancellation/cancel-signal.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { GovernanceContext } from '../governance/pipeline/governance-context.js';
import { GovernancePipeline } from '../governance/pipeline/governance-pipeline.service.js';
import type { EmbeddingRequest } from '../providers/llm-provider.types.js';
import { FailoverExecutor, type RoutedAnswer } from '../routing/failover.executor.js';
import { type PlannedTarget, RoutePlanner } from '../routing/route-planner.service.js';

/** OpenAI's CreateEmbeddingResponse. */
export interface EmbeddingResponse {
  object: 'list';
  model: string;
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * POST /v1/embeddings: plan the route (targets that offer embeddings), run it with retries,
 * circuit breakers and fallbacks; encode base64 when the caller asks (the SDK default).
 */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly planner: RoutePlanner,
    private readonly executor: FailoverExecutor,
    private readonly governance: GovernancePipeline,
  ) {}

  async create(
    request: EmbeddingRequest,
    context: GovernanceContext,
    signal: CancelSignal,
  ): Promise<{ answer: RoutedAnswer; response: EmbeddingResponse }> {
    const offers = (target: PlannedTarget) =>
      target.provider.capabilities(target.upstreamModel).embeddings;
    const plan = this.planner.plan(
      request.model,
      {
        lacks: (target) => (offers(target) ? [] : ['embeddings']),
        assert: (target) => {
          if (offers(target)) return;
          throw new GatewayError(
            ErrorCode.UnsupportedCapability,
            `Provider '${target.provider.id}' does not offer embeddings.`,
            { param: 'model', provider: target.provider.id },
          );
        },
      },
      this.governance.routing(context),
    );
    const { value: result, answer } = await this.executor.run(
      plan,
      context,
      signal,
      (target, call) =>
        target.provider.embed(
          target.model === request.model ? request : { ...request, model: target.model },
          call,
        ),
    );
    context.answeredBy = answer;
    this.governance.usage(context, { ...result.usage, completion_tokens: 0 });
    const base64 = request.encoding_format === 'base64';
    return {
      answer,
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
