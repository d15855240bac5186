import { z } from 'zod';
import { bool, int, optionalUrl, str, stringList, url } from '../schema-fields.js';
import { OPTIONAL_FIELDS } from '../../providers/llm-provider.types.js';
import { bearerCompatibleSchema, capabilityOverridesSchema } from './openai-compatible.schema.js';

/** `gateway.providers.azure-openai`: a resource's deployments, addressed by name. */
export const azureOpenAiSchema = z.strictObject({
  'api-key': str().default(''),
  // https://<resource>.openai.azure.com/openai (deployment style), or .../openai/v1 (v1 style).
  'base-url': optionalUrl().default(''),
  'api-version': str().default('2024-10-21'),
  // Deployment names GET /v1/models lists (as azure/<deployment>).
  deployments: stringList().default([]),
});

export const mistralSchema = bearerCompatibleSchema({
  baseUrl: 'https://api.mistral.ai/v1',
  models: [
    'mistral-large-latest',
    'mistral-medium-latest',
    'mistral-small-latest',
    'magistral-medium-latest',
    'codestral-latest',
    'mistral-embed',
  ],
});

export const groqSchema = bearerCompatibleSchema({
  baseUrl: 'https://api.groq.com/openai/v1',
  models: [
    'groq/openai/gpt-oss-120b',
    'groq/openai/gpt-oss-20b',
    'groq/llama-3.3-70b-versatile',
    'groq/llama-3.1-8b-instant',
  ],
});

export const deepseekSchema = bearerCompatibleSchema({
  baseUrl: 'https://api.deepseek.com/v1',
  models: ['deepseek-chat', 'deepseek-reasoner'],
});

export const qwenSchema = bearerCompatibleSchema({
  baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  models: ['qwen3-max', 'qwen-plus', 'qwen-flash'],
});

export const moonshotSchema = bearerCompatibleSchema({
  baseUrl: 'https://api.moonshot.cn/v1',
  models: ['kimi-k2.5', 'kimi-k2-thinking', 'kimi-k2-turbo-preview', 'moonshot-v1-128k'],
});

export const chatglmSchema = bearerCompatibleSchema({
  baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
  models: ['glm-4.6', 'glm-4.5', 'glm-4.5-air', 'glm-4.5-flash'],
});

export const grokSchema = bearerCompatibleSchema({
  baseUrl: 'https://api.x.ai/v1',
  models: [
    'grok-4',
    'grok-4-1-fast-reasoning',
    'grok-4-1-fast-non-reasoning',
    'grok-3-mini',
    'grok-code-fast-1',
  ],
});

/** `gateway.providers.ollama`: a local server, no key; its OpenAI-compatible `/v1` endpoint. */
export const ollamaSchema = z.strictObject({
  enabled: bool().default(false),
  'base-url': url().default('http://localhost:11434'),
  // Ollama serves whatever was pulled; list them here (as ollama/<name>) for GET /v1/models.
  models: stringList().default([]),
  // The contract's row is conservative (no tools, vision or json modes); models that can do more
  // are enabled here.
  capabilities: capabilityOverridesSchema,
});

/** What a custom provider can honour; defaults assume a capable OpenAI-compatible host. */
const customCapabilitiesSchema = z
  .strictObject({
    streaming: bool().default(true),
    vision: bool().default(false),
    tools: bool().default(true),
    'json-object': bool().default(true),
    'json-schema': bool().default(false),
    embeddings: bool().default(false),
    'max-context-tokens': int(1).default(128_000),
    // OpenAI's optional chat fields (contract 4.2) the host documents, forwarded verbatim
    // (vLLM and most hosts: n, logprobs, top_logprobs, logit_bias); the rest are refused.
    fields: z.array(z.enum(OPTIONAL_FIELDS)).default([]),
  })
  .prefault({});

/**
 * `gateway.providers.custom.<name>`: any OpenAI-compatible host (Fireworks, Together, vLLM,
 * LiteLLM, Docker Model Runner, a corporate gateway) under its own prefix.
 */
export const customProviderSchema = z.strictObject({
  enabled: bool().default(true),
  'base-url': url(),
  // Model-name prefix(es) it serves, e.g. `fireworks/` (one, a list, or comma-separated); stripped
  // before the upstream sees the model unless strip-prefix is false. None: reachable by routes only.
  prefix: stringList().default([]),
  'strip-prefix': bool().default(true),
  'api-key': str().default(''),
  // The header carrying the key, and the scheme before it (empty scheme: the bare key).
  'auth-header': str().default('Authorization'),
  'auth-scheme': str().default('Bearer'),
  // Extra static headers sent on every call (e.g. a corporate gateway's tenant header).
  headers: z.record(z.string(), str()).default({}),
  // Ask for `stream_options.include_usage` (some older hosts refuse the field).
  'stream-usage': bool().default(true),
  models: stringList().default([]),
  capabilities: customCapabilitiesSchema,
});
