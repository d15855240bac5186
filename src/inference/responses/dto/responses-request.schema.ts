import { z } from 'zod';
import { MAX_TOOL_CALL_ID_LENGTH } from '../../../providers/llm-provider.types.js';

/*
 * The body of `POST /v1/responses` (contract 16), as OpenAI's Responses API documents it
 * (`CreateResponse` in openai/openai-openapi). The top level is strict, so a field the gateway
 * does not know is refused by name. Items and tools the gateway cannot translate (built-in tools,
 * item references, files) pass validation: a target that speaks the Responses API natively takes
 * them, and the translation refuses them by name (`responses-request.mapper.ts`).
 */

const text = z.string();

/**
 * A string, or an array `items` validates. Not a `z.union`: a union reports a bad element as the
 * union's failure at its own path, and the caller must hear which element field is wrong.
 */
function stringOr<T extends z.ZodType>(items: T) {
  return z.custom<string | z.infer<T>>().check((ctx) => {
    if (typeof ctx.value === 'string') return;
    if (!Array.isArray(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        message: 'Must be a string or an array',
        input: ctx.value,
      });
      return;
    }
    relay(items.safeParse(ctx.value), ctx);
  });
}

/** The issues of a nested parse, at their paths under the value being checked. */
function relay(
  result: z.ZodSafeParseResult<unknown>,
  ctx: { value: unknown; issues: z.core.$ZodRawIssue[] },
): void {
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: ctx.value });
  }
}

const inputTextPart = z.looseObject({ type: z.literal('input_text'), text });
const inputImagePart = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().min(1).nullish(),
  detail: z.enum(['auto', 'low', 'high']).nullish(),
});
const inputFilePart = z.looseObject({ type: z.literal('input_file') });
const outputTextPart = z.looseObject({ type: z.literal('output_text'), text });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: text });

const contentPart = z.discriminatedUnion('type', [
  inputTextPart,
  inputImagePart,
  inputFilePart,
  outputTextPart,
  refusalPart,
]);

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: stringOr(z.array(contentPart)),
  id: z.string().optional(),
  status: z.string().optional(),
});

const callId = z.string().min(1).max(MAX_TOOL_CALL_ID_LENGTH);

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: callId,
  name: z.string().min(1).max(128),
  arguments: z.string(),
  id: z.string().optional(),
  status: z.string().optional(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: callId,
  output: stringOr(z.array(contentPart)),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

/** Item types validated field by field; any other typed item is the native API's business. */
const KNOWN_ITEMS: Readonly<Record<string, z.ZodType>> = {
  message: messageItem,
  function_call: functionCallItem,
  function_call_output: functionCallOutputItem,
  reasoning: z.looseObject({ type: z.literal('reasoning') }),
};

/** One input item: a message (its `type` may be left out) or a typed item. */
const inputItem = z.looseObject({ type: z.string().min(1).optional() }).check((ctx) => {
  const item = ctx.value as { type?: string };
  const schema = KNOWN_ITEMS[item.type ?? 'message'];
  if (schema !== undefined) relay(schema.safeParse(ctx.value), ctx);
});

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** A function tool, or one of the built-in tools (`web_search`, `file_search`, ...). */
const tool = z.looseObject({ type: z.string().min(1) }).check((ctx) => {
  if ((ctx.value as { type: string }).type === 'function')
    relay(functionTool.safeParse(ctx.value), ctx);
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({ type: z.string().min(1) }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

const reasoning = z.strictObject({
  effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
  generate_summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
});

export const responsesRequestSchema = z.strictObject({
  model: z.string().min(1).max(256),
  input: stringOr(z.array(inputItem).min(1)),
  instructions: z.string().nullish(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .strictObject({
      format: textFormat.optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullish(),
    })
    .optional(),
  max_output_tokens: z.int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: reasoning.nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  user: z.string().max(512).optional(),
  safety_identifier: z.string().max(512).optional(),
  prompt_cache_key: z.string().optional(),
  prompt_cache_retention: z.enum(['in-memory', '24h']).nullish(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  include: z.array(z.string()).nullish(),
  background: z.boolean().nullish(),
  max_tool_calls: z.int().min(1).nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  prompt: z.looseObject({ id: z.string() }).nullish(),
  conversation: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish(),
  context_management: z.array(z.looseObject({})).nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/*
 * The items as the mapper reads them: the body reaches it as sent (validated, not transformed),
 * so a message item may lack its `type`.
 */
export type ResponsesContentPart = z.infer<typeof contentPart>;
export type ResponsesMessageItem = z.infer<typeof messageItem>;
export type ResponsesFunctionCallItem = z.infer<typeof functionCallItem>;
export type ResponsesFunctionCallOutputItem = z.infer<typeof functionCallOutputItem>;
export type ResponsesFunctionTool = z.infer<typeof functionTool>;
export type ResponsesTextFormat = z.infer<typeof textFormat>;
