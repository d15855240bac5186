import { Observable, OperatorFunction } from 'rxjs';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { ChatCompletionChunk, Usage } from '../providers/llm-provider.types.js';

/**
 * Shapes a provider's chunk stream into what the caller asked for (contract 4.3):
 * - the usage chunk (`choices: []` + `usage`) reaches the caller only with
 *   `stream_options.include_usage`, and then every other chunk carries `usage: null` as OpenAI does;
 * - a stream that ends without a finish reason is an error, not a silent success.
 */
export function shapeForCaller(
  includeUsage: boolean,
  providerId: string,
  onUsage?: (usage: Usage) => void,
): OperatorFunction<ChatCompletionChunk, ChatCompletionChunk> {
  return (source) =>
    new Observable<ChatCompletionChunk>((subscriber) => {
      let finished = false;
      const subscription = source.subscribe({
        next: (chunk) => {
          const isUsageChunk = chunk.choices.length === 0;
          if (!finished) finished = chunk.choices.some((c) => c.finish_reason != null);
          if (isUsageChunk) {
            if (chunk.usage) onUsage?.(chunk.usage);
            if (includeUsage && chunk.usage) subscriber.next(chunk);
            return;
          }
          if (includeUsage) chunk.usage = null;
          else delete chunk.usage;
          subscriber.next(chunk);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          if (finished) subscriber.complete();
          else {
            subscriber.error(
              new GatewayError(
                ErrorCode.ProviderError,
                `Provider '${providerId}' ended the stream without a finish reason.`,
                { provider: providerId },
              ),
            );
          }
        },
      });
      return () => subscription.unsubscribe();
    });
}
