import { jest } from '@jest/globals';
import { FixtureRewriter } from './answer-rewriters.fixture.js';
import { ToolCallHoldback } from './tool-call-holdback.js';

describe(ToolCallHoldback.name, () => {
  it('releases a call whole when the next one starts, with its first id, type and name', () => {
    const holdback = new ToolCallHoldback(new FixtureRewriter());
    expect(
      holdback.push([
        { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"m":"x@' } },
      ]),
    ).toEqual([]);
    expect(holdback.push([{ index: 0, function: { arguments: 'y.io"}' } }])).toEqual([]);
    expect(holdback.holding).toBe(true);
    const released = holdback.push([
      { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
    expect(released).toEqual([
      {
        delta: {
          index: 0,
          id: 'a',
          type: 'function',
          function: { name: 'f', arguments: '{"m":"[REDACTED_EMAIL]"}' },
        },
        findings: ['EMAIL'],
      },
    ]);
    expect(holdback.flush()).toEqual([
      {
        delta: { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
        findings: [],
      },
    ]);
    expect(holdback.holding).toBe(false);
    expect(holdback.flush()).toEqual([]);
  });

  it('releases several calls of one chunk in order, and does not rewrite empty arguments', () => {
    const rewriter = new FixtureRewriter();
    const edits = jest.spyOn(rewriter, 'rewriteArguments');
    const holdback = new ToolCallHoldback(rewriter);
    const released = holdback.push([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 1, id: 'b', type: 'function', function: { name: 'g' } },
    ]);
    expect(released.map((r) => r.delta)).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } },
    ]);
    expect(holdback.flush().map((r) => r.delta.index)).toEqual([1]);
    expect(edits).not.toHaveBeenCalled();
  });

  it('holds a fragment arriving after its call was released as a call of its own', () => {
    const holdback = new ToolCallHoldback(new FixtureRewriter());
    holdback.push([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{' } },
    ]);
    holdback.push([
      { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
    const released = holdback.push([{ index: 0, function: { arguments: '}' } }]);
    expect(released.map((r) => r.delta)).toEqual([
      { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
    expect(holdback.flush().map((r) => r.delta)).toEqual([
      { index: 0, function: { arguments: '}' } },
    ]);
  });
});
