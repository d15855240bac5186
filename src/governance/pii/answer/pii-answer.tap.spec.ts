import fc from 'fast-check';
import { from } from 'rxjs';
import type { ChatAnswerPart } from '../../pipeline/answer-stage.js';
import { deltasOf, structuredText } from './answer-arbitraries.fixture.js';
import { completion, content, finish, record, role, usageChunk } from './answer-chunks.fixture.js';
import { FixtureRewriter, rewriteWhole } from './answer-rewriters.fixture.js';
import { piiAnswerTap } from './pii-answer.tap.js';

const parts = (values: ReturnType<typeof content>[]) =>
  values.map((value): ChatAnswerPart => ({ kind: 'chunk', value }));

describe(piiAnswerTap.name, () => {
  it('passes every chunk through untouched and at once, and reports what it saw', () => {
    const rw = new FixtureRewriter({ action: 'LOG' });
    const chunks = [role(), content(0, 'Mail bob@ex'), content(0, 'ample.org now'), finish(0)];
    const out = record(from(parts([...chunks, usageChunk()])).pipe(piiAnswerTap(rw, 64)));
    expect(out.completed).toBe(true);
    expect(out.chunks).toEqual([...chunks, usageChunk()]);
    expect(out.chunks[1]).toBe(chunks[1]);
    expect(rw.reported).toEqual(['EMAIL']);
  });

  it('reports a JSON answer exactly once per finding and returns it as it was', () => {
    const rw = new FixtureRewriter({ action: 'LOG' });
    const answer = completion({ content: 'a@b.co and 123456789' });
    const out = record(
      from<ChatAnswerPart[]>([{ kind: 'completion', value: answer }]).pipe(piiAnswerTap(rw, 64)),
    );
    expect(out.parts).toEqual([{ kind: 'completion', value: answer }]);
    expect(rw.reported).toEqual(['EMAIL', 'SSN']);
  });

  it('reports the findings of the unsplit text, however the stream splits it', () => {
    fc.assert(
      fc.property(
        structuredText.chain((text) => deltasOf(text).map((deltas) => ({ text, deltas }))),
        ({ text, deltas }) => {
          const whole = rewriteWhole(new FixtureRewriter({ action: 'LOG' }), text);
          const rw = new FixtureRewriter({ action: 'LOG' });
          const chunks = [role(), ...deltas.map((d) => content(0, d)), finish(0)];
          const out = record(from(parts(chunks)).pipe(piiAnswerTap(rw, 64)));
          expect(out.chunks).toEqual(chunks);
          expect(rw.reported).toEqual(whole.found);
        },
      ),
      { numRuns: 200 },
    );
  });
});
