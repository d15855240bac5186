import type { UpstreamContext } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../llm-provider.types.js';
import { promptBlockedError, unusableAnswerError } from './gemini.errors.js';
import { toolCallId } from './gemini-tool-call-id.mapper.js';

/**
 * A Gemini `GenerateContentResponse` (wire-formats 4.3) in the gateway's shape, whole or one
 * stream chunk at a time. Thought summaries are not answer text; function calls get minted ids
 * that carry their thought signatures; `finish_reason` is `tool_calls` whenever a function call
 * came (Gemini says STOP); usage is read only when Gemini sent it. Pure.
 */

type Json = Record<string, unknown>;

/** What the mapping needs besides the body. */
export interface AnswerMeta {
  readonly context: UpstreamContext;
  /** The model called, named in the answer when Gemini does not say which version answered. */
  readonly model: string;
  /** Unix seconds, for `created`. */
  readonly created: number;
  /** A fresh random key, for tool-call ids and answers without a `responseId`. */
  readonly newKey: () => string;
}

export interface GeminiFunctionCall {
  readonly name: string;
  readonly args: Json;
  readonly thoughtSignature?: string;
}

/** One response (or stream chunk), read. */
export interface GeminiAnswer {
  /** Answer text of this response, thought summaries excluded; '' when it has none. */
  readonly text: string;
  readonly hasText: boolean;
  readonly functionCalls: readonly GeminiFunctionCall[];
  /** Undefined on stream chunks before the last. */
  readonly finishReason?: string;
  /** Set when the prompt was refused outright: no candidate then. */
  readonly blockReason?: string;
  readonly hasCandidate: boolean;
  readonly usage?: Usage;
  readonly responseId?: string;
  readonly modelVersion?: string;
}

const CONTENT_FILTER: ReadonlySet<string> = new Set([
  'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]); // prettier-ignore

/** The model stopped without a usable answer: there is nothing to return. */
const UNUSABLE: ReadonlySet<string> = new Set([
  'MALFORMED_FUNCTION_CALL',
  'UNEXPECTED_TOOL_CALL',
  'TOO_MANY_TOOL_CALLS',
]);

export function readAnswer(body: unknown): GeminiAnswer {
  const raw = asRecord(body);
  if (raw === undefined) throw malformed('the answer is not a JSON object');
  const candidates = raw.candidates;
  if (candidates !== undefined && !Array.isArray(candidates)) {
    throw malformed("'candidates' is not an array");
  }
  const candidate = asRecord(candidates?.[0]);
  const blockReason = asRecord(raw.promptFeedback)?.blockReason;
  const parts = asRecord(candidate?.content)?.parts;
  const texts: string[] = [];
  const functionCalls: GeminiFunctionCall[] = [];
  for (const value of Array.isArray(parts) ? parts : []) {
    const part = asRecord(value);
    if (part === undefined || part.thought === true) continue;
    if (typeof part.text === 'string') texts.push(part.text);
    const call = asRecord(part.functionCall);
    if (call !== undefined) {
      if (typeof call.name !== 'string' || call.name === '') {
        throw malformed('a function call has no name');
      }
      functionCalls.push({
        name: call.name,
        args: asRecord(call.args) ?? {},
        ...(typeof part.thoughtSignature === 'string'
          ? { thoughtSignature: part.thoughtSignature }
          : {}),
      });
    }
  }
  return {
    text: texts.join(''),
    hasText: texts.length > 0,
    functionCalls,
    finishReason: typeof candidate?.finishReason === 'string' ? candidate.finishReason : undefined,
    blockReason:
      typeof blockReason === 'string' && blockReason !== 'BLOCKED_REASON_UNSPECIFIED'
        ? blockReason
        : undefined,
    hasCandidate: candidate !== undefined,
    usage: toUsage(raw.usageMetadata),
    responseId: typeof raw.responseId === 'string' ? raw.responseId : undefined,
    modelVersion: typeof raw.modelVersion === 'string' ? raw.modelVersion : undefined,
  };
}

export function toChatCompletion(body: unknown, meta: AnswerMeta): ChatCompletion {
  const answer = readAnswer(body);
  if (!answer.hasCandidate) {
    if (answer.blockReason !== undefined) {
      throw promptBlockedError(meta.context, answer.blockReason);
    }
    throw malformed('the answer has no candidates');
  }
  // Several candidates (`n` as candidateCount): each is read as a one-candidate answer.
  const candidates = (asRecord(body)?.candidates as unknown[]).map((candidate, position) => ({
    answer: position === 0 ? answer : readAnswer({ candidates: [candidate] }),
    index: candidateIndex(candidate, position),
  }));
  const completion: ChatCompletion = {
    id: completionId(answer.responseId, meta),
    object: 'chat.completion',
    created: meta.created,
    model: answer.modelVersion ?? meta.model,
    choices: candidates.map(({ answer: one, index }) => toChoice(one, index, meta)),
  };
  if (answer.usage !== undefined) completion.usage = answer.usage;
  return completion;
}

function candidateIndex(candidate: unknown, position: number): number {
  const index = asRecord(candidate)?.index;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : position;
}

function toChoice(
  answer: GeminiAnswer,
  index: number,
  meta: AnswerMeta,
): ChatCompletion['choices'][number] {
  if (answer.finishReason === undefined) throw malformed('the candidate has no finishReason');
  const toolCalls = answer.functionCalls.map((call) => toToolCall(call, meta.newKey()));
  return {
    index,
    message: {
      role: 'assistant',
      content: answer.hasText ? answer.text : null,
      refusal: null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: toFinishReason(answer.finishReason, toolCalls.length > 0, meta.context),
    logprobs: null,
  };
}

export function toToolCall(call: GeminiFunctionCall, key: string): ToolCall {
  return {
    id: toolCallId(key, call.thoughtSignature),
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  };
}

/** `chatcmpl-` and Gemini's response id when it is a plain token, else a fresh key. */
export function completionId(responseId: string | undefined, meta: AnswerMeta): string {
  return responseId !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(responseId)
    ? `chatcmpl-${responseId}`
    : `chatcmpl-${meta.newKey()}`;
}

/** Gemini's finish reason (wire-formats 18.1); an unusable function call is an error. */
export function toFinishReason(
  reason: string,
  sawFunctionCall: boolean,
  context: UpstreamContext,
): FinishReason {
  if (CONTENT_FILTER.has(reason)) return 'content_filter';
  if (UNUSABLE.has(reason)) throw unusableAnswerError(context, reason);
  if (reason === 'MAX_TOKENS') return 'length';
  // STOP, and the reasons that still end a normal answer (OTHER, LANGUAGE, new ones).
  return sawFunctionCall ? 'tool_calls' : 'stop';
}

/**
 * `usageMetadata` as OpenAI usage (wire-formats 18.2): thinking tokens are billed as output, so
 * they count as completion (and reasoning) tokens. Undefined when Gemini reported no counts.
 */
export function toUsage(value: unknown): Usage | undefined {
  const raw = asRecord(value);
  if (raw === undefined) return undefined;
  const count = (key: string): number | undefined => {
    const n = raw[key];
    return typeof n === 'number' ? n : undefined;
  };
  const prompt = count('promptTokenCount');
  const candidates = count('candidatesTokenCount');
  const thoughts = count('thoughtsTokenCount');
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return undefined;
  const promptTokens = (prompt ?? 0) + (count('toolUsePromptTokenCount') ?? 0);
  const completionTokens = (candidates ?? 0) + (thoughts ?? 0);
  const usage: Usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const cached = count('cachedContentTokenCount');
  if (cached !== undefined) usage.prompt_tokens_details = { cached_tokens: cached };
  if (thoughts !== undefined) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

export function malformed(detail: string): UpstreamHttpError {
  return new UpstreamHttpError('malformed_response', detail);
}
