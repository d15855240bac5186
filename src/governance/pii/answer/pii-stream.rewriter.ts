import type {
  ChatCompletionChunk,
  ChunkChoice,
  ToolCallDelta,
} from '../../../providers/llm-provider.types.js';
import type { AnswerRewriter, PiiType } from '../pii.types.js';
import { settleFindings } from './answer-findings.js';
import { type TextRelease, TextHoldback } from './text-holdback.js';
import { ToolCallHoldback } from './tool-call-holdback.js';

/** What one choice of the stream holds. */
interface ChoiceHold {
  readonly content: TextHoldback;
  readonly refusal: TextHoldback;
  readonly tools: ToolCallHoldback;
}

type Delta = ChunkChoice['delta'];

/**
 * The answer side of the PII stage over one stream (contract 9.3), chunk by chunk. Per choice
 * index, `content` and `refusal` deltas go through a {@link TextHoldback} and tool calls through a
 * {@link ToolCallHoldback}; everything else flows at once.
 *
 * Chunk shape: every upstream chunk is emitted, in order, as a new object with the same fields
 * (ids, `created`, `model`, `system_fingerprint`, `usage`, roles, finish reasons, logprobs), so
 * the count and order are the upstream's. A text field keeps its key: when all of its delta is
 * held it carries `''`, as OpenAI's own first chunk does. `tool_calls` carries the calls released
 * by this chunk, and is left out when there are none, as in OpenAI's own chunks (an empty array
 * trips clients that read `tool_calls[0]`). A choice's held text and calls are released into the
 * chunk carrying its `finish_reason`, ahead of it. What is still held when a usage chunk
 * (`choices: []`) arrives, or when the stream completes, goes out in chunks cloned from the last
 * one (one per choice, `finish_reason: null`), before the usage chunk.
 *
 * Findings are settled per upstream chunk, before anything of it is emitted: under BLOCK, a
 * chunk whose released text or calls hold a finding throws `pii_detected` and emits nothing
 * (what earlier chunks released has gone out).
 */
export class PiiStreamRewriter {
  private readonly choices = new Map<number, ChoiceHold>();
  private last: ChatCompletionChunk | undefined;

  constructor(
    private readonly rewriter: AnswerRewriter,
    private readonly holdbackChars: number,
  ) {}

  /** The chunks to emit for one upstream chunk. Throws `pii_detected` under BLOCK. */
  next(chunk: ChatCompletionChunk): ChatCompletionChunk[] {
    const findings: PiiType[] = [];
    if (chunk.choices.length === 0) {
      const released = this.releaseAll(findings);
      settleFindings(this.rewriter, findings);
      return [...released, chunk];
    }
    const out = { ...chunk, choices: chunk.choices.map((choice) => this.choice(choice, findings)) };
    settleFindings(this.rewriter, findings);
    this.last = chunk;
    return [out];
  }

  /** The stream completed: what is still held, in chunks cloned from the last one. */
  complete(): ChatCompletionChunk[] {
    const findings: PiiType[] = [];
    const released = this.releaseAll(findings);
    settleFindings(this.rewriter, findings);
    return released;
  }

  private choice(choice: ChunkChoice, findings: PiiType[]): ChunkChoice {
    const hold = this.hold(choice.index);
    const done = choice.finish_reason != null;
    const delta: Delta = { ...choice.delta };
    setText(delta, 'content', release(hold.content, choice.delta.content, done, findings));
    setText(delta, 'refusal', release(hold.refusal, choice.delta.refusal, done, findings));
    const calls = choice.delta.tool_calls ? hold.tools.push(choice.delta.tool_calls) : [];
    if (done) calls.push(...hold.tools.flush());
    setToolCalls(delta, takeCalls(calls, findings));
    if (done) this.choices.delete(choice.index);
    // Held-back text and the tokens' log probabilities no longer line up, and the tokens would
    // spell out what the rewrite removes: a scanned stream carries none.
    return { ...choice, delta, ...(choice.logprobs ? { logprobs: null } : {}) };
  }

  private releaseAll(findings: PiiType[]): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    const last = this.last;
    // Choices are held only once a choice chunk has been seen.
    if (last === undefined) return out;
    for (const [index, hold] of this.choices) {
      const delta: Delta = {};
      setText(delta, 'content', release(hold.content, undefined, true, findings));
      setText(delta, 'refusal', release(hold.refusal, undefined, true, findings));
      setToolCalls(delta, takeCalls(hold.tools.flush(), findings));
      if (Object.keys(delta).length > 0) out.push(cloneShell(last, { index, delta }));
    }
    this.choices.clear();
    return out;
  }

  private hold(index: number): ChoiceHold {
    let hold = this.choices.get(index);
    if (hold === undefined) {
      const edits = (text: string) => this.rewriter.edits(text);
      hold = {
        content: new TextHoldback(edits, this.holdbackChars),
        refusal: new TextHoldback(edits, this.holdbackChars),
        tools: new ToolCallHoldback(this.rewriter),
      };
      this.choices.set(index, hold);
    }
    return hold;
  }
}

/**
 * The text a field's delta releases: the delta through the holdback and, once the choice is
 * done, the rest. `undefined` when nothing is to be set (the field stays as it came).
 */
function release(
  holdback: TextHoldback,
  value: string | null | undefined,
  done: boolean,
  findings: PiiType[],
): string | undefined {
  let text = typeof value === 'string' ? take(holdback.push(value), findings) : '';
  if (done) text += take(holdback.flush(), findings);
  return typeof value === 'string' || text !== '' ? text : undefined;
}

function take(release: TextRelease, findings: PiiType[]): string {
  findings.push(...release.findings);
  return release.text;
}

function takeCalls(
  calls: readonly { delta: ToolCallDelta; findings: readonly PiiType[] }[],
  findings: PiiType[],
): ToolCallDelta[] {
  return calls.map((call) => {
    findings.push(...call.findings);
    return call.delta;
  });
}

function setText(delta: Delta, field: 'content' | 'refusal', text: string | undefined): void {
  if (text !== undefined) delta[field] = text;
}

function setToolCalls(delta: Delta, calls: ToolCallDelta[]): void {
  if (calls.length > 0) delta.tool_calls = calls;
  else delete delta.tool_calls;
}

/** A chunk for released leftovers, with the stream's ids and the shape of its last chunk. */
function cloneShell(
  last: ChatCompletionChunk,
  choice: Pick<ChunkChoice, 'index' | 'delta'>,
): ChatCompletionChunk {
  return {
    id: last.id,
    object: last.object,
    created: last.created,
    model: last.model,
    ...(last.system_fingerprint === undefined
      ? {}
      : { system_fingerprint: last.system_fingerprint }),
    choices: [{ ...choice, finish_reason: null }],
    // With include_usage every chunk but the usage chunk carries `usage: null`.
    ...('usage' in last ? { usage: null } : {}),
  };
}
