import type {
  ChatCompletionRequest,
  EmbeddingRequest,
} from '../../providers/llm-provider.types.js';
import type { RequestFacts } from './governance-context.js';

/**
 * What the governance stages read of a chat body, taken once after validation: the model, the
 * output cap (`max_tokens` or `max_completion_tokens`, the larger when both are set), and every
 * tool named, offered or replayed in an assistant message.
 */
export function chatRequestFacts(body: ChatCompletionRequest): RequestFacts {
  const caps = [body.max_tokens, body.max_completion_tokens].filter(
    (n): n is number => typeof n === 'number',
  );
  let toolNames: string[] | undefined;
  for (const tool of body.tools ?? []) (toolNames ??= []).push(tool.function.name);
  for (const message of body.messages) {
    if (message.tool_calls === undefined) continue;
    for (const call of message.tool_calls) {
      const name = call.function?.name;
      if (typeof name === 'string') (toolNames ??= []).push(name);
    }
  }
  return {
    model: body.model,
    maxTokens: caps.length === 0 ? undefined : Math.max(...caps),
    toolNames: toolNames ?? NO_TOOLS,
    stream: body.stream === true,
    metadataTags: body.metadata?.tags,
  };
}

/** Embeddings are governed by model, provider and data residency; they name no tools. */
export function embeddingRequestFacts(body: EmbeddingRequest): RequestFacts {
  return { model: body.model, toolNames: NO_TOOLS, stream: false };
}

const NO_TOOLS: readonly string[] = Object.freeze([]);
