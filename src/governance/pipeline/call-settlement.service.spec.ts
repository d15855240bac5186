import { EventEmitter } from 'node:events';
import { CallSettlement } from './call-settlement.service.js';
import { type CallOutcome, GovernanceContext } from './governance-context.js';

const outcome: CallOutcome = { status: 200, clientGone: true, latencyMs: 5 };

function observed() {
  const settlement = new CallSettlement();
  const heard: string[] = [];
  settlement.observe({ callSettled: (context) => heard.push(context.traceId) });
  return { settlement, heard };
}

/** A response's `close`, as the governance hook listens to it. */
function call(settlement: CallSettlement, traceId: string) {
  const response = new EventEmitter();
  const context = new GovernanceContext(traceId, 'POST', '/v1/chat/completions', 0);
  settlement.settleWhen(
    context,
    (settle) => response.once('close', settle),
    () => outcome,
  );
  return response;
}

describe(CallSettlement.name, () => {
  it('settles a call when its response closes, once', () => {
    const { settlement, heard } = observed();
    const response = call(settlement, 't-1');

    response.emit('close');
    settlement.settleInFlight();

    expect(heard).toEqual(['t-1']);
  });

  it('settles the calls still open at the end of the grace period, and not again at close', () => {
    const { settlement, heard } = observed();
    const open = call(settlement, 't-open');
    const done = call(settlement, 't-done');
    done.emit('close');

    settlement.settleInFlight();
    open.emit('close');

    expect(heard).toEqual(['t-done', 't-open']);
  });
});
