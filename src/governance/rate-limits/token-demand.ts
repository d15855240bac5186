import type { ChatMessage, EmbeddingRequest } from '../../providers/llm-provider.types.js';
import {
  estimateEmbeddingInputTokens,
  estimatePromptTokens,
} from '../../providers/usage-estimate.js';
import type { GovernanceContext } from '../pipeline/governance-context.js';

/*
 * The tokens a call reserves (contract 11.4): its estimated prompt plus its output cap
 * (`max_tokens` or `max_completion_tokens`, the larger), else the default output reservation.
 * Rate limits run before body validation (contract 8, stage 3), so the body read here is the one
 * Fastify parsed, not yet validated: anything malformed counts as no prompt and the default cap,
 * and validation, next, refuses the call, which gives the reservation back.
 */

export function reservedTokens(
  context: GovernanceContext,
  body: unknown,
  defaultOutput: number,
): number {
  const prompt = context.estimatedPromptTokens ?? estimatePrompt(context, body);
  if (prompt !== undefined) context.estimatedPromptTokens = prompt;
  return (prompt ?? 0) + outputReservation(context, body, defaultOutput);
}

function estimatePrompt(context: GovernanceContext, body: unknown): number | undefined {
  if (!isObject(body)) return undefined;
  let tokens: number;
  try {
    if (context.kind === 'embeddings') {
      const { input } = body;
      if (typeof input !== 'string' && !Array.isArray(input)) return undefined;
      tokens = estimateEmbeddingInputTokens(input as EmbeddingRequest['input']);
    } else {
      if (!Array.isArray(body.messages)) return undefined;
      tokens = estimatePromptTokens(body.messages as ChatMessage[]);
    }
  } catch {
    return undefined;
  }
  return Number.isSafeInteger(tokens) && tokens >= 0 ? tokens : undefined;
}

function outputReservation(context: GovernanceContext, body: unknown, fallback: number): number {
  // Embeddings produce no output tokens.
  if (context.kind === 'embeddings') return 0;
  if (!isObject(body)) return fallback;
  const caps = [body.max_tokens, body.max_completion_tokens].filter(
    (n): n is number => Number.isSafeInteger(n) && (n as number) >= 0,
  );
  return caps.length === 0 ? fallback : Math.max(...caps);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
