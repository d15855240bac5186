import { z } from 'zod';
import { MAX_TOOL_CALL_ID_LENGTH } from '../../../providers/llm-provider.types.js';

/*
 * The body of `POST /v1/messages` and `/v1/messages/count_tokens` (contract 15), as the Messages
 * API documents it. Content blocks and tools are loose objects: the hints they carry
 * (`cache_control`, `citations`) pass validation, are forwarded on passthrough and dropped when
 * translating. The top level is strict, so a field the gateway does not know is refused by name.
 */

const text = z.string();
const cacheControl = z.looseObject({ type: z.string() }).optional();

export const textBlockSchema = z.looseObject({
  type: z.literal('text'),
  text,
  cache_control: cacheControl,
});

const imageSource = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('base64'),
    media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
    data: z.string().min(1),
  }),
  z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
]);

const imageBlockSchema = z.looseObject({
  type: z.literal('image'),
  source: imageSource,
  cache_control: cacheControl,
});

const documentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: z.looseObject({ type: z.string() }),
  title: z.string().nullish(),
  context: z.string().nullish(),
  cache_control: cacheControl,
});

const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1).max(MAX_TOOL_CALL_ID_LENGTH),
  name: z.string().min(1).max(128),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1).max(MAX_TOOL_CALL_ID_LENGTH),
  content: z
    .union([z.string(), z.array(z.union([textBlockSchema, imageBlockSchema, documentBlockSchema]))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const thinkingBlockSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
});

const redactedThinkingBlockSchema = z.looseObject({
  type: z.literal('redacted_thinking'),
  data: z.string(),
});

const contentBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  imageBlockSchema,
  documentBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
  redactedThinkingBlockSchema,
]);

const messageSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

/** A tool the caller defines (`type` absent or `custom`), or one of the vendor's server tools. */
const toolSchema = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl,
});

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.enum(['auto', 'any']),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('tool'),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('none') }),
]);

const thinkingSchema = z.looseObject({ type: z.enum(['enabled', 'disabled', 'adaptive']) });

/** What both endpoints take: the prompt, and what the caller lets the model use. */
const promptFields = {
  model: z.string().min(1).max(256),
  messages: z.array(messageSchema).min(1),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  tools: z.array(toolSchema).max(128).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  // Hints for the vendor's own serving, dropped when translating.
  context_management: z.looseObject({}).optional(),
  output_config: z.looseObject({}).optional(),
  mcp_servers: z.array(z.looseObject({})).optional(),
};

export const messagesRequestSchema = z.strictObject({
  ...promptFields,
  max_tokens: z.int().min(1),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).max(16).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().max(512).nullish() }).optional(),
  service_tier: z.string().optional(),
  container: z.unknown().optional(),
});

export const countTokensRequestSchema = z.strictObject(promptFields);

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type MessagesContentBlock = z.infer<typeof contentBlockSchema>;
export type MessagesTextBlock = z.infer<typeof textBlockSchema>;
export type MessagesTool = z.infer<typeof toolSchema>;
