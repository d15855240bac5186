/**
 * The chat answers of an OpenAI-compatible fake, shaped by its dialect: the JSON completion and
 * the stream's chunks (role, reasoning, content or tool calls, finish, usage), each placed and
 * decorated the way the vendor does it. Pure.
 */
import type {
  FakeAnswerContext,
  FakeChatCall,
  FakeChunkStage,
  FakeDialect,
  FakeResolvedToolCall,
} from './dialects/fake-dialect.js';
import type { FakeReply } from './fake-openai-compatible.types.js';

/** Contains multi-byte characters on purpose, so split writes can cut through one. */
export const DEFAULT_REPLY_TEXT = 'Hello from the fake! Grüße, 世界 🌍.';

type Json = Record<string, unknown>;

/** Code points per streamed content chunk (and characters per argument fragment). */
const PIECE = 4;

/** Settles ids, reasoning, finish reason and token counts for one answer. */
export function answerContext(
  dialect: FakeDialect,
  call: FakeChatCall,
  reply: FakeReply,
  sequence: number,
): FakeAnswerContext {
  const toolCalls: FakeResolvedToolCall[] = (reply.toolCalls ?? []).map((c, index) => ({
    id: c.id ?? dialect.toolCallId(sequence, index, c.name),
    name: c.name,
    arguments: c.arguments,
  }));
  const reasoning =
    dialect.reasoningField === undefined
      ? undefined
      : (reply.reasoning ?? dialect.defaultReasoning?.(call.model));
  const prompt = reply.usage?.prompt_tokens ?? Math.ceil(JSON.stringify(call.body).length / 4);
  const completion =
    reply.usage?.completion_tokens ?? Math.max(1, Math.ceil(answerText(reply).length / PIECE));
  const reasoningTokens =
    reply.usage?.reasoning_tokens ?? (reasoning ? Math.ceil(reasoning.length / PIECE) : 0);
  return {
    call,
    reply,
    id: dialect.completionId(sequence),
    model: reply.model ?? call.model,
    created: Math.floor(Date.now() / 1000),
    toolCalls,
    reasoning,
    finishReason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: { prompt, completion, reasoning: reasoningTokens },
  };
}

export function completionBody(dialect: FakeDialect, context: FakeAnswerContext): Json {
  const { reply, toolCalls } = context;
  const message: Json = { role: 'assistant' };
  const refused = reply.refusal !== undefined && dialect.refusals;
  if (toolCalls.length > 0) {
    if (dialect.contentWithToolCalls !== undefined) message.content = dialect.contentWithToolCalls;
  } else {
    message.content = refused ? null : replyText(reply);
  }
  if (dialect.refusals) message.refusal = refused ? reply.refusal : null;
  if (context.reasoning !== undefined && dialect.reasoningField !== undefined) {
    message[dialect.reasoningField] = context.reasoning;
  }
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls.map((c, i) => toolCallJson(dialect, c, i, false));
  }
  const body: Json = {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: Array.from({ length: choiceCount(context) }, (_, index) => ({
      index,
      message: index === 0 ? message : { ...message, content: nthText(message.content, index) },
      logprobs: logprobsOf(
        context,
        index === 0 ? message.content : nthText(message.content, index),
      ),
      finish_reason: context.finishReason,
    })),
    usage: dialect.usageBody(context.usage),
  };
  dialect.decorateCompletion?.(body, context);
  return body;
}

/** `n` choices, as OpenAI answers them (text replies only); choice i>0 says which it is. */
function choiceCount(context: FakeAnswerContext): number {
  const n = context.call.body.n;
  return typeof n === 'number' && n > 1 && context.toolCalls.length === 0 ? n : 1;
}

function nthText(content: unknown, index: number): unknown {
  return typeof content === 'string' ? `${content} (choice ${index})` : content;
}

/** OpenAI's `logprobs` when asked for: one entry per word of the text, a fixed log probability. */
function logprobsOf(context: FakeAnswerContext, content: unknown): Json | null {
  if (context.call.body.logprobs !== true || typeof content !== 'string') return null;
  const top =
    typeof context.call.body.top_logprobs === 'number' ? context.call.body.top_logprobs : 0;
  return {
    content: content.split(/(?<= )/).map((token) => ({
      token,
      logprob: -0.25,
      bytes: [...Buffer.from(token)],
      top_logprobs: Array.from({ length: top }, () => ({ token, logprob: -0.25, bytes: null })),
    })),
    refusal: null,
  };
}

/** A stream's chunks in order; the kinds let the fake drop or cut some. */
export interface StreamChunks {
  /** Chunks before the role chunk (Azure's filter-only chunk). */
  readonly leading: Json[];
  /** Role chunk, then reasoning, content or tool-call chunks. */
  readonly body: Json[];
  readonly finish: Json;
  /** The trailing `choices: []` usage chunk, when the dialect sends one for this request. */
  readonly usage?: Json;
}

export function streamChunks(dialect: FakeDialect, context: FakeAnswerContext): StreamChunks {
  const { reply, toolCalls, call } = context;
  const usageNull = call.includeUsage && dialect.usageNullWhenAsked;
  const chunk = (stage: FakeChunkStage, choices: Json[], extra: Json = {}): Json => {
    const json: Json = {
      id: context.id,
      object: 'chat.completion.chunk',
      created: context.created,
      model: context.model,
      choices,
      ...(usageNull ? { usage: null } : {}),
      ...extra,
    };
    dialect.decorateChunk?.(json, stage, context);
    return json;
  };
  const choice = (delta: Json, finish?: string, index = 0): Json => {
    if (finish !== undefined) {
      return dialect.sparseChunks
        ? { index, delta, finish_reason: finish }
        : { index, delta, logprobs: null, finish_reason: finish };
    }
    return dialect.sparseChunks
      ? { index, delta }
      : { index, delta, logprobs: null, finish_reason: null };
  };

  const body = [chunk('role', [choice(dialect.roleDelta(toolCalls.length > 0))])];
  if (context.reasoning !== undefined && dialect.reasoningField !== undefined) {
    for (const piece of pieces(context.reasoning)) {
      body.push(chunk('reasoning', [choice({ [dialect.reasoningField]: piece })]));
    }
  }
  if (toolCalls.length > 0) {
    body.push(...toolCallChunks(dialect, toolCalls, (delta) => chunk('tool', [choice(delta)])));
  } else {
    const refused = reply.refusal !== undefined && dialect.refusals;
    for (const piece of pieces(refused ? (reply.refusal ?? '') : replyText(reply))) {
      body.push(chunk('content', [choice(refused ? { refusal: piece } : { content: piece })]));
    }
  }

  // Choices past the first (`n`), each whole: role, its text, its finish.
  for (let index = 1; index < choiceCount(context); index++) {
    body.push(chunk('role', [choice(dialect.roleDelta(false), undefined, index)]));
    const text = nthText(replyText(reply), index) as string;
    body.push(chunk('content', [choice({ content: text }, undefined, index)]));
    body.push(chunk('content', [choice(dialect.finishDelta(), context.finishReason, index)]));
  }

  const finishDelta = dialect.finishDelta();
  if (dialect.toolCallDeltas === 'whole-in-finish' && toolCalls.length > 0) {
    finishDelta.content = null;
    finishDelta.tool_calls = toolCalls.map((c, i) => toolCallJson(dialect, c, i, true));
  }
  const usage = dialect.usageBody(context.usage);
  const finishChoice = choice(finishDelta, context.finishReason);
  if (dialect.streamUsage === 'choice') finishChoice.usage = usage;
  const finish = chunk('finish', [finishChoice], dialect.streamUsage === 'finish' ? { usage } : {});
  if (dialect.streamUsage === 'every') addCumulativeUsage(dialect, context, [...body, finish]);
  const trailing = dialect.streamUsage === 'trailing' && call.includeUsage;
  return {
    leading: dialect.leadingChunks?.(context) ?? [],
    body,
    finish,
    usage: trailing ? chunk('usage', [], { usage }) : undefined,
  };
}

/** The tool-call deltas in the vendor's style, each wrapped into a chunk by `wrap`. */
function toolCallChunks(
  dialect: FakeDialect,
  calls: readonly FakeResolvedToolCall[],
  wrap: (delta: Json) => Json,
): Json[] {
  switch (dialect.toolCallDeltas) {
    case 'whole-in-finish':
      return [];
    case 'whole':
      return [wrap({ tool_calls: calls.map((c, i) => toolCallJson(dialect, c, i, true)) })];
    case 'fragments':
    case 'continuations': {
      const emptyIds = dialect.toolCallDeltas === 'continuations';
      const chunks: Json[] = [];
      calls.forEach((call, index) => {
        const opener = toolCallJson(dialect, { ...call, arguments: '' }, index, true);
        chunks.push(wrap({ tool_calls: [opener] }));
        for (const fragment of pieces(call.arguments)) {
          const next: Json = emptyIds
            ? { index, id: '', type: 'function', function: { arguments: fragment } }
            : { index, function: { arguments: fragment } };
          chunks.push(wrap({ tool_calls: [next] }));
        }
      });
      if (emptyIds && calls.length > 0) {
        const index = calls.length - 1;
        const stray = { function: { arguments: '' }, index, id: '', type: 'function' };
        const last = wrap({ tool_calls: [stray] });
        // The stray chunk has neither finish_reason nor logprobs.
        last.choices = [{ delta: { tool_calls: [stray] }, index: 0 }];
        chunks.push(last);
      }
      return chunks;
    }
  }
}

function toolCallJson(
  dialect: FakeDialect,
  call: FakeResolvedToolCall,
  index: number,
  inStream: boolean,
): Json {
  const json: Json = {};
  if (dialect.toolCallIndex === 'always' || (dialect.toolCallIndex === 'stream' && inStream)) {
    json.index = index;
  }
  json.id = call.id;
  if (dialect.toolCallType) json.type = 'function';
  json.function = { name: call.name, arguments: call.arguments };
  return json;
}

/** Every chunk carries the usage so far, the last one the whole of it. */
function addCumulativeUsage(dialect: FakeDialect, context: FakeAnswerContext, chunks: Json[]) {
  const { prompt, completion, reasoning } = context.usage;
  chunks.forEach((chunk, i) => {
    const share = Math.ceil((completion * (i + 1)) / chunks.length);
    chunk.usage = dialect.usageBody({ prompt, completion: share, reasoning });
  });
}

function replyText(reply: FakeReply): string {
  return reply.content ?? DEFAULT_REPLY_TEXT;
}

function answerText(reply: FakeReply): string {
  if (reply.toolCalls && reply.toolCalls.length > 0) {
    return reply.toolCalls.map((c) => c.arguments).join('');
  }
  return reply.refusal ?? replyText(reply);
}

/** Splits by code points, never inside a surrogate pair. */
export function pieces(text: string): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += PIECE) out.push(points.slice(i, i + PIECE).join(''));
  return out;
}
