import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { mockSchema } from './provider-schemas/mock.schema.js';
import { openAiSchema } from './provider-schemas/openai.schema.js';
import { anthropicSchema } from './provider-schemas/anthropic.schema.js';
import { bedrockSchema } from './provider-schemas/bedrock.schema.js';
import { cohereSchema } from './provider-schemas/cohere.schema.js';
import { geminiSchema } from './provider-schemas/gemini.schema.js';
import {
  azureOpenAiSchema,
  chatglmSchema,
  customProviderSchema,
  deepseekSchema,
  grokSchema,
  groqSchema,
  mistralSchema,
  moonshotSchema,
  ollamaSchema,
  qwenSchema,
} from './provider-schemas/vendors.schema.js';
import { providerResilienceSchema, resilienceDefaultsSchema } from './resilience.schema.js';
import { metricsSchema } from './metrics.schema.js';
import { piiSchema } from './pii.schema.js';
import { routesSchema } from './routes.schema.js';
import { bool, int, str } from './schema-fields.js';
import { budgetEntrySchema, pricingEntrySchema } from './metering.schema.js';
import { tracingSchema } from './tracing.schema.js';

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
    // Names this process among replicas (its audit chain, contract 12); empty: host, pid, start time.
    'instance-id': str().default(''),
    // Processes serving the port (node:cluster). 1: this process alone; 0 or `auto`: one per CPU.
    workers: z
      .preprocess(
        (v) => (v === 0 || (typeof v === 'string' && /^\s*(0|auto)\s*$/i.test(v)) ? 'auto' : v),
        z.union([z.literal('auto'), int(1, 1024)]),
      )
      .transform((v) => (v === 'auto' ? availableParallelism() : v))
      .default(1),
  })
  .superRefine((server, ctx) => {
    // One audit chain has one writer (contract 12): worker processes must each name their own.
    if (server.workers > 1 && server['instance-id'].trim() !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['instance-id'],
        message:
          'names one process, but workers is above 1: leave it empty so each worker is an audit writer of its own (host, pid, start time)',
      });
    }
  })
  .prefault({});

/** The audit trail (contract 12). Secrets are checked at start-up by the audit module, not here. */
const auditSchema = z
  .strictObject({
    enabled: bool().default(true),
    // HMAC-SHA256 key of every record: 32+ characters, never a placeholder.
    'hmac-secret': str().default(''),
    // An Ed25519 private key (PEM text or a file path): signs checkpoints of the chain head.
    'signing-key': str().default(''),
    'checkpoint-every-events': int(1).default(1_000),
    'checkpoint-interval-ms': int(100).default(10_000),
    // A JSONL mirror of every record and checkpoint; empty: none.
    file: str().default(''),
    'flush-interval-ms': int(1).default(50),
    'batch-size': int(1, 10_000).default(500),
    // Queued events past this refuse new calls with 503 audit_unavailable until it drains.
    'max-queue': int(1).default(10_000),
    // Prompts and answers in GATEWAY_RESPONSE records (after PII handling); off by default.
    'capture-content': bool().default(false),
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
    // A success answer (JSON) larger than this is cut and answered 502 provider_error.
    'max-response-bytes': int(1024).default(128 * 1024 * 1024),
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

/** Rate limits are counted in doubles (Lua's too): keep them far below 2^53. */
const MAX_PER_MINUTE = 1_000_000_000;

const rateLimitSchema = z
  .strictObject({
    'requests-per-minute': int(0, MAX_PER_MINUTE).default(0),
    'tokens-per-minute': int(0, MAX_PER_MINUTE).default(0),
  })
  .prefault({});

/** A provider's settings plus its optional `resilience` overrides; absent means defaults. */
function provider<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape, z.core.$strict>) {
  // `{}` is valid input (every key has a default or is optional); zod cannot see that generically.
  return schema.extend({ resilience: providerResilienceSchema }).prefault({} as never);
}

/** Custom providers get the same `resilience` overrides as built-in ones. */
const customSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
    message: 'a custom provider name is lowercase letters, digits and dashes',
  }),
  customProviderSchema.extend({ resilience: providerResilienceSchema }),
);

const providersSchema = z
  .strictObject({
    openai: provider(openAiSchema),
    'azure-openai': provider(azureOpenAiSchema),
    anthropic: provider(anthropicSchema),
    gemini: provider(geminiSchema),
    bedrock: provider(bedrockSchema),
    mistral: provider(mistralSchema),
    cohere: provider(cohereSchema),
    groq: provider(groqSchema),
    qwen: provider(qwenSchema),
    deepseek: provider(deepseekSchema),
    moonshot: provider(moonshotSchema),
    chatglm: provider(chatglmSchema),
    grok: provider(grokSchema),
    ollama: provider(ollamaSchema),
    // Never wrapped by resilience (contract 5.1), so no `resilience` key.
    mock: mockSchema.prefault({}),
    custom: customSchema.default({}),
  })
  .prefault({});

/** Ids a route may name: the built-in providers and the custom ones configured. */
function knownProviderIds(providers: z.output<typeof providersSchema>): Set<string> {
  const builtIn = Object.keys(providers).filter((id) => id !== 'custom');
  return new Set([...builtIn, ...Object.keys(providers.custom)]);
}

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
    tracing: tracingSchema,
    auth: z
      .strictObject({
        required: bool().default(true),
        // How long a verified key is trusted without a database read; revocations on this
        // replica (and on others, through Redis) drop it at once.
        'key-cache-ttl-ms': int(0).default(60_000),
        // last_used_at is written in batches, never once per request.
        'last-used-flush-ms': int(100).default(10_000),
        // A rotated key keeps working this long, so clients can switch without downtime.
        'rotation-grace-seconds': int(0).default(86_400),
      })
      .prefault({}),
    storage: z
      .strictObject({
        // Empty: SQLite at sqlite-path. file:<path> or sqlite:<path>: SQLite there.
        // postgres://... or postgresql://...: PostgreSQL.
        'database-url': str().default(''),
        'sqlite-path': str().default('./data/gateway.db'),
      })
      .prefault({}),
    redis: z
      .strictObject({
        // Empty: in-process state only. redis://...: shared by every replica.
        url: str().default(''),
        'key-prefix': str().default('gateway:'),
      })
      .prefault({}),
    admin: z
      .strictObject({
        // Empty: the admin API is off (it answers 404 saying so).
        token: str().default(''),
      })
      .prefault({}),
    security: z
      .strictObject({
        // 32 bytes, as 64 hex characters or base64: encrypts tenant provider credentials at rest.
        'encryption-key': str().default(''),
      })
      .prefault({}),
    bootstrap: z
      .strictObject({
        // A YAML file of tenants and keys applied idempotently at start-up.
        file: str().default(''),
      })
      .prefault({}),
    audit: auditSchema,
    upstream: upstreamSchema,
    providers: providersSchema,
    resilience: resilienceDefaultsSchema,
    routes: routesSchema,
    // Each entry is checked by the policy engine at start-up, not here: a policy that does not
    // compile is skipped with an error log naming it, and the others keep governing (contract 10).
    policies: z.array(z.unknown()).default([]),
    'rate-limits': z
      .strictObject({
        // Per API key and per tenant, per minute; 0 is unlimited. A tenant's
        // settings.rate_limits and a key's rate_limits override these (contract 11.4).
        'per-key': rateLimitSchema,
        'per-tenant': rateLimitSchema,
      })
      .prefault({}),
    policy: z
      .strictObject({
        // How often each replica checks the stored policy version; with Redis, changes also
        // arrive at once over pub/sub and this is the backstop.
        'reload-interval-ms': int(100).default(1_000),
      })
      .prefault({}),
    pii: piiSchema,
    metrics: metricsSchema,
    // Prices (USD per million tokens) over the bundled catalogue and config/pricing.yml.
    pricing: z.array(pricingEntrySchema).default([]),
    // Platform ceilings: budgets no admin call can change or delete (contract 11.3).
    budgets: z.array(budgetEntrySchema).default([]),
    metering: z
      .strictObject({
        // Output tokens reserved for a call that sets neither max_tokens nor max_completion_tokens
        // (rate-limit token reservations and budget reservations alike).
        'default-output-reservation': int(0, 10_000_000).default(1024),
        // Usage records are written in batches at this pace (a report lags by at most this much).
        'flush-interval-ms': int(10, 60_000).default(500),
        // A batch is written early once this many records wait.
        'flush-batch-size': int(1, 100_000).default(500),
        // How often each replica checks stored budgets and prices for changes (Redis pub/sub
        // announces them at once; this is the backstop).
        'reload-interval-ms': int(100).default(1_000),
        // Prompts up to this many characters are counted with the o200k tokenizer; longer ones
        // are estimated at four characters per token (the tokenizer costs about 20 us per KB).
        // It is loaded once any budget exists (about 60 MB); 0: never, four characters per token.
        'tokenizer-max-chars': int(0).default(16_384),
      })
      .prefault({}),
  })
  .superRefine((gateway, ctx) => {
    const known = knownProviderIds(gateway.providers);
    for (const name of Object.keys(gateway.providers.custom)) {
      if (name in gateway.providers && name !== 'custom') {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', 'custom', name],
          message: `'${name}' is a built-in provider id; give the custom provider another name`,
        });
      }
    }
    gateway.routes.forEach((route, index) => {
      const targets = [
        ...route.providers.map((t, i) => ({ id: t.provider, path: ['providers', i] })),
        ...route.fallbacks.map((t, i) => ({ id: t.provider, path: ['fallbacks', i] })),
      ];
      for (const target of targets) {
        if (!known.has(target.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', index, ...target.path, 'provider'],
            message: `unknown provider '${target.id}'; known: ${[...known].sort().join(', ')}`,
          });
        }
      }
    });
  })
  .prefault({});

/** Keys whose children are free-form (user-chosen names), never camel-cased nor dot-split. */
export const FREE_FORM_KEYS: ReadonlySet<string> = new Set([
  'response-overrides',
  'headers',
  'policies',
  'custom-patterns',
  'resource-attributes',
]);

/** Keys whose children are named by the operator: the names stay, their settings are camel-cased. */
export const NAMED_MAP_KEYS: ReadonlySet<string> = new Set(['custom']);

export type GatewayConfigInput = z.output<typeof gatewaySchema>;

/** `config/pricing.yml`: `pricing:` entries under the same rules as `gateway.pricing[]`. */
export const pricingFileSchema = z
  .strictObject({ pricing: z.array(pricingEntrySchema).default([]) })
  .prefault({});
