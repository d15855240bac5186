import fc from 'fast-check';
import { ErrorCode } from '../../../common/errors/error-code.js';
import type { ChatCompletionChunk } from '../../../providers/llm-provider.types.js';
import type { PiiType } from '../pii.types.js';
import { applyEdits } from './answer-edits.js';
import { deltasOf, LONGEST_EDIT, structuredText, TOKENS } from './answer-arbitraries.fixture.js';
import {
  content,
  contentOf,
  finish,
  role,
  runChunks,
  usageChunk,
} from './answer-chunks.fixture.js';
import { type Action, FixtureRewriter, rewriteWhole } from './answer-rewriters.fixture.js';
import { PiiStreamRewriter } from './pii-stream.rewriter.js';

/** One choice's stream: its text, how it is split, and whether it ends with a finish reason. */
const choiceStream = structuredText.chain((text) =>
  fc.record({ text: fc.constant(text), deltas: deltasOf(text), finished: fc.boolean() }),
);

/** Two lists merged in an arbitrary order that keeps each list's own order. */
function interleave<T>(a: readonly T[], b: readonly T[], picks: readonly boolean[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  for (const pick of picks) {
    if (pick && i < a.length) out.push(a[i++]);
    else if (j < b.length) out.push(b[j++]);
  }
  return [...out, ...a.slice(i), ...b.slice(j)];
}

const sorted = (types: readonly PiiType[]) => [...types].sort();

describe(PiiStreamRewriter.name, () => {
  it('gives each choice the whole text rewritten, and keeps every chunk in order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(choiceStream, { minLength: 1, maxLength: 2 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        fc.boolean(),
        fc.integer({ min: LONGEST_EDIT, max: 48 }),
        fc.constantFrom<Action>('REDACT', 'LOG'),
        (choices, picks, withUsage, holdbackChars, action) => {
          const rewriter = new FixtureRewriter({ tokens: TOKENS, action });
          const streams = choices.map(({ deltas, finished }, index) => [
            role(index),
            ...deltas.map((delta) => content(index, delta)),
            ...(finished ? [finish(index)] : []),
          ]);
          const upstream = interleave(streams[0], streams[1] ?? [], picks);
          if (withUsage) upstream.push(usageChunk());

          const { chunks, completed } = runChunks(upstream, rewriter, holdbackChars);

          expect(completed).toBe(true);
          const expectedFound: PiiType[] = [];
          choices.forEach(({ text }, index) => {
            const whole = rewriteWhole(new FixtureRewriter({ tokens: TOKENS, action }), text);
            expect(contentOf(chunks, index)).toBe(whole.text);
            expectedFound.push(...whole.found);
          });
          expect(sorted(rewriter.reported)).toEqual(sorted(expectedFound));
          // Every upstream chunk is there, in order; the chunks added carry what unfinished
          // choices still held, after the last choice chunk and before the usage chunk.
          const added = chunks.length - upstream.length;
          const unfinished = choices.filter((c) => !c.finished).length;
          expect(added).toBeGreaterThanOrEqual(0);
          expect(added).toBeLessThanOrEqual(unfinished);
          const shape = (c: ChatCompletionChunk) =>
            c.choices.map((x) => [x.index, x.finish_reason]);
          const kept = withUsage
            ? [...chunks.slice(0, upstream.length - 1), chunks.at(-1)!]
            : chunks.slice(0, upstream.length);
          expect(kept.map(shape)).toEqual(upstream.map(shape));
          if (withUsage) expect(chunks.at(-1)).toBe(upstream.at(-1));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('under BLOCK errors before the first finding, having sent no more than the text before it (property)', () => {
    fc.assert(
      fc.property(
        choiceStream,
        fc.integer({ min: LONGEST_EDIT, max: 48 }),
        ({ text, deltas }, holdbackChars) => {
          const rewriter = new FixtureRewriter({ tokens: TOKENS, action: 'BLOCK' });
          const edits = rewriter.edits(text);
          const first = edits.find((edit) => edit.type !== undefined);
          fc.pre(first !== undefined);
          const before = applyEdits(text, edits, [], 0, first.start);

          const upstream = [role(), ...deltas.map((delta) => content(0, delta)), finish()];
          const { chunks, error } = runChunks(upstream, rewriter, holdbackChars);

          expect(error).toMatchObject({ code: ErrorCode.PiiDetected });
          expect((error as Error).message).toContain(first.type);
          expect(rewriter.reported[0]).toBe(first.type);
          const sent = contentOf(chunks);
          expect(before.startsWith(sent)).toBe(true);
          // Char by char, the commit point stops at the finding's start once the text is long
          // enough to move it there (else the finding goes out with the rest, at the finish).
          const charByChar = deltas.every((delta) => [...delta].length <= 1);
          if (charByChar && first.start + holdbackChars <= text.length) expect(sent).toBe(before);
        },
      ),
      { numRuns: 300 },
    );
  });
});
