import { z } from 'zod';
import { bool, int, num, str } from '../schema-fields.js';
import { mockSandboxSchema } from './mock-sandbox.schema.js';

/** `gateway.providers.mock` (contract 5.1). */
export const mockSchema = z.strictObject({
  enabled: bool().default(false),
  response: str().default('This is a mock response'),
  'latency-ms': int(0).default(100),
  'stream-token-delay-ms': int(0).default(20),
  'error-rate': num(z.number().min(0).max(1)).default(0),
  'script-timeout-ms': int(1, 60_000).default(1000),
  sandbox: mockSandboxSchema.prefault({}),
  'embedding-dimensions': int(1, 8192).default(1536),
  'response-overrides': z.record(z.string(), str()).default({}),
});
