import { z } from 'zod';
import { mockSchema } from './provider-schemas/mock.schema.js';
import { openAiSchema } from './provider-schemas/openai.schema.js';
import { anthropicSchema } from './provider-schemas/anthropic.schema.js';
import { bedrockSchema } from './provider-schemas/bedrock.schema.js';
import { cohereSchema } from './provider-schemas/cohere.schema.js';
import { geminiSchema } from './provider-schemas/gemini.schema.js';
import { bool, int, str } from './schema-fields.js';

/**
 * The shape of `gateway:` as written in YAML (kebab-case keys). Every object is strict so an
 * unknown key stops start-up; values coming from `${VAR:default}` are strings, so numbers and
 * booleans are coerced here rather than by each consumer.
 */
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
    'image-fetch': z
      .strictObject({
        // Off by default: fetching caller-supplied URLs from inside the perimeter is an SSRF risk.
        enabled: bool().default(false),
        'max-bytes': int(1).default(20 * 1024 * 1024),
        'timeout-ms': int(1).default(10_000),
        // Loopback, private, link-local and metadata addresses stay refused unless this is on.
        'allow-private-networks': bool().default(false),
      })
      .prefault({}),
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
        anthropic: anthropicSchema,
        gemini: geminiSchema,
        bedrock: bedrockSchema,
        cohere: cohereSchema,
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
