import { CallTracer } from './call-tracer.js';

/** Tracing off: no hook, no span, nothing loaded. */
export class TracingOff extends CallTracer {
  readonly enabled = false;
  open(): void {}
  close(): void {}
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
