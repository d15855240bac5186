import type { IncomingHttpHeaders } from 'node:http';
import type {
  CallOutcome,
  GovernanceContext,
} from '../../governance/pipeline/governance-context.js';

/**
 * Opens and closes the server span of every /v1 call (contract 14). Bound to an OpenTelemetry
 * tracer when an OTLP endpoint is configured, else to `TracingOff`, which costs nothing:
 * no SDK loaded, no hook installed, no span object made.
 */
export abstract class CallTracer {
  abstract readonly enabled: boolean;

  /** Starts the call's server span (continuing an incoming `traceparent`) on `context.trace`. */
  abstract open(context: GovernanceContext, headers: IncomingHttpHeaders, route?: string): void;

  /** Ends the call's server span with how it ended. */
  abstract close(context: GovernanceContext, outcome: CallOutcome): void;

  /** Exports what is buffered and stops. */
  abstract shutdown(): Promise<void>;
}
