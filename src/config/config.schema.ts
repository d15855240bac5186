import { z } from 'zod';

/**
 * The shape of `gateway:` as written in YAML (kebab-case keys). Every object is strict so an
 * unknown key stops start-up; values coming from `${VAR:default}` are strings, so numbers and
 * booleans are coerced here rather than by each consumer.
 */
const num = (schema: z.ZodNumber = z.number()) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    schema,
  );

const int = (min = 0, max = Number.MAX_SAFE_INTEGER) => num(z.number().int().min(min).max(max));

const bool = () =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false' || s === '') return false;
    return v;
  }, z.boolean());

const str = () => z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string());

const url = () =>
  str().refine((v) => /^https?:\/\/[^\s]+$/i.test(v), { message: 'must be an http(s) URL' });

const stringList = () =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(z.string()),
  );

const serverSchema = z
  .strictObject({
    port: int(0, 65535).default(8080),
    host: str().default('0.0.0.0'),
    'max-body-bytes': int(1024).default(20 * 1024 * 1024),
    'shutdown-grace-ms': int(0).default(30_000),
  })
  .prefault({});

const upstreamSchema = z
  .strictObject({
    'connect-timeout-ms': int(1).default(10_000),
    'request-timeout-ms': int(1).default(30_000),
    'stream-timeout-ms': int(1).default(120_000),
    'stream-idle-timeout-ms': int(1).default(60_000),
    'connections-per-host': int(1).default(256),
    'keep-alive-timeout-ms': int(1).default(30_000),
  })
  .prefault({});

const openAiSchema = z
  .strictObject({
    'api-key': str().default(''),
    'base-url': url().default('https://api.openai.com/v1'),
    organization: str().default(''),
    project: str().default(''),
    models: stringList().default([
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4-turbo',
      'gpt-3.5-turbo',
      'text-embedding-ada-002',
      'text-embedding-3-small',
      'text-embedding-3-large',
    ]),
  })
  .prefault({});

const mockSchema = z
  .strictObject({
    enabled: bool().default(false),
    response: str().default('This is a mock response'),
    'latency-ms': int(0).default(100),
    'stream-token-delay-ms': int(0).default(20),
    'error-rate': num(z.number().min(0).max(1)).default(0),
    'script-timeout-ms': int(1, 60_000).default(1000),
    'embedding-dimensions': int(1, 8192).default(1536),
    'response-overrides': z.record(z.string(), str()).default({}),
  })
  .prefault({});

export const gatewaySchema = z
  .strictObject({
    server: serverSchema,
    logging: z
      .strictObject({
        level: z
          .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
          .default('info'),
      })
      .prefault({}),
    auth: z
      .strictObject({
        required: bool().default(true),
      })
      .prefault({}),
    upstream: upstreamSchema,
    providers: z
      .strictObject({
        openai: openAiSchema,
        mock: mockSchema,
      })
      .prefault({}),
  })
  .prefault({});

/** Keys whose children are free-form (user-chosen names), never camel-cased nor dot-split. */
export const FREE_FORM_KEYS: ReadonlySet<string> = new Set(['response-overrides']);

/** Keys whose values are secrets: never logged, never echoed in an error. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['api-key']);

export type GatewayConfigInput = z.output<typeof gatewaySchema>;
