import type {
  ChatCompletionRequest,
  EmbeddingRequest,
} from '../../../providers/llm-provider.types.js';
import {
  estimateEmbeddingInputTokens,
  estimatePromptTokens,
} from '../../../providers/usage-estimate.js';
import type { GovernanceContext } from '../../pipeline/governance-context.js';

/** The call's estimated prompt tokens, computed once per call (the context keeps them). */
export function promptTokensOf(context: GovernanceContext): number {
  if (context.estimatedPromptTokens !== undefined) return context.estimatedPromptTokens;
  let tokens = 0;
  if (context.kind === 'chat' && context.body !== undefined) {
    tokens = estimatePromptTokens((context.body as ChatCompletionRequest).messages);
  } else if (context.kind === 'embeddings' && context.body !== undefined) {
    tokens = estimateEmbeddingInputTokens((context.body as EmbeddingRequest).input);
  }
  context.estimatedPromptTokens = tokens;
  return tokens;
}
