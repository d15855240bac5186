import { z } from 'zod';
import { int } from '../schema-fields.js';

/**
 * `gateway.providers.mock.sandbox` (contract 5.1): the worker threads that evaluate `js:` response
 * scripts, off the event loop. Threads start on the first script, never for static responses.
 */
export const mockSandboxSchema = z.strictObject({
  // Scripts evaluated at the same time; more calls wait in the queue below.
  workers: int(1, 64).default(2),
  // Each worker's V8 old-generation heap: a script that needs more is stopped with an error.
  'max-heap-mb': int(8, 4096).default(64),
  // Calls waiting for a free worker; one more is refused at once (502, retryable).
  'max-queued': int(0, 100_000).default(100),
});
