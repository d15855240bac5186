/**
 * The bodies the fake Gemini server answers with, composed per wire-formats section 4 (the
 * envelope, `usageMetadata` on every stream chunk with cumulative counts, function calls whole and
 * carrying a `thoughtSignature`, `promptFeedback` without candidates for a blocked prompt, and
 * Google's `{error: {code, message, status, details}}`). Pure, apart from the signatures it mints.
 */
import { randomBytes } from 'node:crypto';

/** Contains multi-byte characters on purpose, so split writes can cut through one. */
export const DEFAULT_GEMINI_TEXT = 'Bonjour from the fake Gemini! Grüße, 世界 🌍.';

/** Code points per streamed text chunk. */
const PIECE = 5;

export interface FakeGeminiFunctionCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /**
   * The part's `thoughtSignature`. By default the first call of an answer gets a fresh one (as
   * Gemini 3 does) and the others none; `null` sends none.
   */
  readonly thoughtSignature?: string | null;
}

export interface FakeGeminiUsage {
  readonly promptTokenCount: number;
  readonly candidatesTokenCount?: number;
  readonly thoughtsTokenCount?: number;
  readonly cachedContentTokenCount?: number;
}

/** What the fake model answers. */
export interface FakeGeminiReply {
  /** Answer text; defaults to {@link DEFAULT_GEMINI_TEXT} unless function calls are set. */
  readonly text?: string;
  readonly functionCalls?: readonly FakeGeminiFunctionCall[];
  /** A thought summary (`thought: true` part) sent before the answer. */
  readonly thought?: string;
  /** Defaults to STOP (also with function calls, as Gemini does). */
  readonly finishReason?: string;
  /** Defaults to an estimate from the request and answer sizes; `null` sends no usageMetadata. */
  readonly usage?: FakeGeminiUsage | null;
  /** Refuse the prompt: no candidates, `promptFeedback.blockReason` set. */
  readonly blockReason?: string;
  /** Defaults to the model of the URL. */
  readonly modelVersion?: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: Record<string, unknown>[] };
}

export function googleError(
  code: number,
  status: string,
  message: string,
  details?: Record<string, unknown>[],
): GoogleErrorBody {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

/** Google's `RetryInfo` detail, e.g. `retryInfo('34.4s')`. */
export function retryInfo(retryDelay: string): Record<string, unknown> {
  return { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay };
}

/** The 400 Google answers a wrong API key with. */
export function apiKeyInvalid(): GoogleErrorBody {
  return googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    {
      '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
      locale: 'en-US',
      message: 'API key not valid. Please pass a valid API key.',
    },
  ]);
}

/** The 403 for a call without any key. */
export function unregisteredCaller(): GoogleErrorBody {
  return googleError(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/** A realistic body for a scripted failure with `status`. */
export function defaultErrorBody(status: number): GoogleErrorBody {
  switch (status) {
    case 400:
      return googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    case 401:
      return googleError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    case 403:
      return googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    case 404:
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.');
    case 429:
      return googleError(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric:
                  'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
                quotaDimensions: { location: 'global', model: 'gemini-2.0-flash' },
                quotaValue: '15',
              },
            ],
          },
          retryInfo('34.4s'),
        ],
      );
    case 503:
      return googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 504:
      return googleError(
        504,
        'DEADLINE_EXCEEDED',
        'Deadline expired before operation could complete.',
      );
    default:
      return status >= 500 ? internalError() : googleError(status, 'UNKNOWN', 'Unknown error.');
  }
}

/** Google's 500 body, also sent as a mid-stream error event. */
export function internalError(): GoogleErrorBody {
  return googleError(
    500,
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  );
}

/** A minted signature: base64 of random bytes, short enough to ride in a tool-call id. */
export function mintSignature(bytes = 24): string {
  return randomBytes(bytes).toString('base64');
}

/** One answer, resolved: the signatures are minted once so whole and streamed answers agree. */
export interface ResolvedReply {
  readonly text: string | undefined;
  readonly thought: string | undefined;
  readonly functionCalls: readonly {
    name: string;
    args: Record<string, unknown>;
    thoughtSignature?: string;
  }[];
  readonly finishReason: string;
  readonly usage: FakeGeminiUsage | null;
  readonly blockReason: string | undefined;
  readonly modelVersion: string;
  readonly responseId: string;
}

export function resolveReply(
  reply: FakeGeminiReply,
  model: string,
  requestBody: unknown,
  responseId: string,
): ResolvedReply {
  const functionCalls = (reply.functionCalls ?? []).map((call, i) => {
    const signature =
      call.thoughtSignature === undefined
        ? i === 0
          ? mintSignature()
          : undefined
        : (call.thoughtSignature ?? undefined);
    return {
      name: call.name,
      args: call.args,
      ...(signature ? { thoughtSignature: signature } : {}),
    };
  });
  const text = reply.text ?? (functionCalls.length > 0 ? undefined : DEFAULT_GEMINI_TEXT);
  const answerSize = (text?.length ?? 0) + JSON.stringify(functionCalls).length;
  const usage: FakeGeminiUsage | null =
    reply.usage === undefined
      ? {
          promptTokenCount: Math.ceil(JSON.stringify(requestBody).length / 4),
          candidatesTokenCount: reply.blockReason ? 0 : Math.max(1, Math.ceil(answerSize / 4)),
          ...(reply.thought ? { thoughtsTokenCount: Math.ceil(reply.thought.length / 4) } : {}),
        }
      : reply.usage;
  return {
    text,
    thought: reply.thought,
    functionCalls,
    finishReason: reply.finishReason ?? 'STOP',
    usage,
    blockReason: reply.blockReason,
    modelVersion: reply.modelVersion ?? model,
    responseId,
  };
}

/**
 * The whole `generateContent` answer; `candidateCount` candidates, the text of candidate i>0
 * marked with its index.
 */
export function generateContentBody(
  reply: ResolvedReply,
  candidateCount = 1,
): Record<string, unknown> {
  if (reply.blockReason) return blockedBody(reply);
  const candidate = (index: number) => {
    const parts: Record<string, unknown>[] = [];
    if (reply.thought) parts.push({ text: reply.thought, thought: true });
    if (reply.text !== undefined) {
      parts.push({ text: index === 0 ? reply.text : `${reply.text} (candidate ${index})` });
    }
    for (const call of reply.functionCalls) parts.push(functionCallPart(call));
    return {
      content: { parts, role: 'model' },
      finishReason: reply.finishReason,
      index,
      ...safety(),
    };
  };
  const candidates = Array.from({ length: Math.max(1, candidateCount) }, (_, i) => candidate(i));
  return envelope(reply, candidates, usageMetadata(reply.usage, 1));
}

/**
 * The `streamGenerateContent` events: thought, text in pieces, each function call whole in its
 * own event, the finish reason on the last; usage on every event, candidates counted cumulatively.
 */
export function streamChunks(reply: ResolvedReply): Record<string, unknown>[] {
  if (reply.blockReason) return [blockedBody(reply)];
  const contents: Record<string, unknown>[][] = [];
  if (reply.thought) contents.push([{ text: reply.thought, thought: true }]);
  const codePoints = [...(reply.text ?? '')];
  for (let i = 0; i < codePoints.length; i += PIECE) {
    contents.push([{ text: codePoints.slice(i, i + PIECE).join('') }]);
  }
  for (const call of reply.functionCalls) contents.push([functionCallPart(call)]);
  if (contents.length === 0) contents.push([{ text: '' }]);
  return contents.map((parts, i) => {
    const last = i === contents.length - 1;
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
    if (last) Object.assign(candidate, { finishReason: reply.finishReason }, safety());
    return envelope(reply, [candidate], usageMetadata(reply.usage, (i + 1) / contents.length));
  });
}

/** The same events with the finish reason removed, for a stream that ends without one. */
export function withoutFinish(chunks: Record<string, unknown>[]): Record<string, unknown>[] {
  return chunks.map((chunk) => {
    const candidates = (chunk.candidates as Record<string, unknown>[] | undefined)?.map((c) => {
      const rest = { ...c };
      delete rest.finishReason;
      return rest;
    });
    return candidates ? { ...chunk, candidates } : chunk;
  });
}

/** A deterministic vector for `text`: tests can compute what the fake returns. */
export function fakeGeminiEmbedding(text: string, dimensions = 8): number[] {
  let seed = 0;
  for (const char of text) seed = (seed * 31 + (char.codePointAt(0) ?? 0)) % 1_000_003;
  return Array.from({ length: dimensions }, (_, i) => {
    const value = Math.sin(seed + i * 12.9898) * 43758.5453;
    return Math.round((value - Math.floor(value) - 0.5) * 1e6) / 1e6;
  });
}

function functionCallPart(call: ResolvedReply['functionCalls'][number]): Record<string, unknown> {
  return {
    functionCall: { name: call.name, args: call.args },
    ...(call.thoughtSignature ? { thoughtSignature: call.thoughtSignature } : {}),
  };
}

function blockedBody(reply: ResolvedReply): Record<string, unknown> {
  const body: Record<string, unknown> = {
    promptFeedback: {
      blockReason: reply.blockReason,
      safetyRatings: [
        { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
      ],
    },
  };
  if (reply.usage) {
    body.usageMetadata = {
      promptTokenCount: reply.usage.promptTokenCount,
      totalTokenCount: reply.usage.promptTokenCount,
    };
  }
  return { ...body, modelVersion: reply.modelVersion, responseId: reply.responseId };
}

function envelope(
  reply: ResolvedReply,
  candidates: Record<string, unknown>[],
  usage: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return {
    candidates,
    ...(usage ? { usageMetadata: usage } : {}),
    modelVersion: reply.modelVersion,
    responseId: reply.responseId,
  };
}

/** Counts as Gemini reports them part-way through a stream (`fraction` of the answer so far). */
function usageMetadata(
  usage: FakeGeminiUsage | null,
  fraction: number,
): Record<string, unknown> | undefined {
  if (usage === null) return undefined;
  const candidates = Math.round((usage.candidatesTokenCount ?? 0) * fraction);
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    promptTokenCount: usage.promptTokenCount,
    candidatesTokenCount: candidates,
    totalTokenCount: usage.promptTokenCount + candidates + thoughts,
    ...(usage.thoughtsTokenCount !== undefined ? { thoughtsTokenCount: thoughts } : {}),
    ...(usage.cachedContentTokenCount !== undefined
      ? { cachedContentTokenCount: usage.cachedContentTokenCount }
      : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.promptTokenCount }],
  };
}

function safety(): Record<string, unknown> {
  return {
    safetyRatings: [
      { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
      { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'NEGLIGIBLE' },
      { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
      { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
    ],
  };
}
