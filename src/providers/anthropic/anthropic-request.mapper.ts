import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  FunctionTool,
  ResponseFormat,
  ToolChoice,
} from '../llm-provider.types.js';
import { thinkingBudget } from '../reasoning-budget.js';
import { toAnthropicConversation } from './anthropic-messages.mapper.js';
import type {
  AnthropicMessagesRequest,
  AnthropicTool,
  AnthropicToolChoice,
} from './anthropic-wire.types.js';

/**
 * Pure translation of a chat request into an Anthropic Messages request (wire-formats 3.1,
 * contract section 5). What Anthropic cannot honour is refused with a `GatewayError` naming the
 * field, never dropped or changed: a temperature above Anthropic's 1, `seed`, penalties,
 * OpenAI's stored-completion `metadata`.
 */

/** The forced tool that carries a `json_schema` answer (contract section 5, seed). */
export const STRUCTURED_OUTPUT_TOOL = 'structured_output';

/** Appended to the system prompt for `json_object`: Anthropic has no JSON mode of its own. */
export const JSON_OBJECT_INSTRUCTION =
  'Respond with a single valid JSON object and nothing else: no prose before or after it and no Markdown code fences.';

export interface AnthropicRequestOptions {
  /** The model as Anthropic knows it. */
  readonly model: string;
  readonly stream: boolean;
  /** Sent when the caller gives neither `max_tokens` nor `max_completion_tokens`. */
  readonly defaultMaxTokens: number;
}

export interface AnthropicRequestPlan {
  readonly body: AnthropicMessagesRequest;
  /**
   * The `structured_output` tool was added: its input is the answer's content, and it is never
   * reported as a tool call.
   */
  readonly structuredOutput: boolean;
}

interface ToolSetup {
  readonly tools?: AnthropicTool[];
  readonly tool_choice?: AnthropicToolChoice;
  readonly structuredOutput: boolean;
}

export function toAnthropicRequest(
  request: ChatCompletionRequest,
  options: AnthropicRequestOptions,
): AnthropicRequestPlan {
  refuseUnsupported(request);
  const conversation = toAnthropicConversation(request.messages);
  const body: AnthropicMessagesRequest = {
    model: options.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? options.defaultMaxTokens,
    messages: conversation.messages,
  };
  const system = withJsonInstruction(conversation.system, request.response_format);
  if (system !== undefined) body.system = system;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  const stops = request.stop === undefined ? [] : [request.stop].flat();
  if (stops.length > 0) body.stop_sequences = stops;
  // `safety_identifier` is OpenAI's successor to `user`: both name the end user to the vendor.
  const endUser = request.safety_identifier ?? request.user;
  if (endUser !== undefined) body.metadata = { user_id: endUser };

  const setup = toolSetup(request);
  if (setup.tools !== undefined) body.tools = setup.tools;
  if (setup.tool_choice !== undefined) body.tool_choice = setup.tool_choice;
  if (request.reasoning_effort !== undefined) {
    applyThinking(body, request, setup, request.max_completion_tokens ?? request.max_tokens);
  }
  if (options.stream) body.stream = true;
  return { body, structuredOutput: setup.structuredOutput };
}

function refuseUnsupported(request: ChatCompletionRequest): void {
  if (request.temperature !== undefined && request.temperature > 1) {
    throw unsupported(
      'temperature',
      `Provider 'anthropic' accepts a temperature between 0 and 1, not ${request.temperature}.`,
    );
  }
  if (request.seed !== undefined) {
    throw unsupported('seed', "Provider 'anthropic' does not support seed.");
  }
  // Zero is the default and means "no penalty": that much Anthropic honours.
  for (const key of ['frequency_penalty', 'presence_penalty'] as const) {
    const value = request[key];
    if (value !== undefined && value !== 0) {
      throw unsupported(key, `Provider 'anthropic' does not support ${key}.`);
    }
  }
  if (request.metadata !== undefined && Object.keys(request.metadata).length > 0) {
    throw unsupported(
      'metadata',
      "Provider 'anthropic' does not support metadata; use 'user' to identify the end user.",
    );
  }
}

/**
 * `reasoning_effort` as extended thinking (Anthropic's extended-thinking guide): a budget from the
 * shared table, or thinking disabled for `none`/`minimal`. Thinking needs `max_tokens` above the
 * budget: without a caller's limit the answer keeps the default on top of the budget; a caller's
 * limit at or below it is refused (OpenAI counts reasoning inside max_completion_tokens too, so
 * the budget could not be spent). Thinking also rules out a temperature other than 1, `top_p`
 * below 0.95 and a forced tool (so `tool_choice` required/named and json_schema's forced tool).
 */
function applyThinking(
  body: AnthropicMessagesRequest,
  request: ChatCompletionRequest,
  setup: ToolSetup,
  callerMax: number | undefined,
): void {
  const budget = thinkingBudget(request.reasoning_effort ?? 'none');
  if (budget === undefined) {
    body.thinking = { type: 'disabled' };
    return;
  }
  const effort = `reasoning_effort '${request.reasoning_effort}'`;
  if (request.temperature !== undefined && request.temperature !== 1) {
    throw unsupported(
      'temperature',
      `Provider 'anthropic' thinks with ${effort} only at temperature 1 (or unset), not ${request.temperature}.`,
    );
  }
  if (request.top_p !== undefined && request.top_p < 0.95) {
    throw unsupported(
      'top_p',
      `Provider 'anthropic' thinks with ${effort} only with top_p between 0.95 and 1 (or unset).`,
    );
  }
  const forced = body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
  if (forced) {
    const param = setup.structuredOutput ? 'response_format' : 'tool_choice';
    throw unsupported(
      param,
      `Provider 'anthropic' cannot think (${effort}) while a tool call is forced` +
        (setup.structuredOutput ? ' (response_format json_schema is a forced tool there).' : '.'),
    );
  }
  if (callerMax === undefined) {
    body.max_tokens = budget + body.max_tokens;
  } else if (callerMax <= budget) {
    const param =
      request.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    throw unsupported(
      param,
      `Provider 'anthropic' needs ${param} above the thinking budget of ${budget} tokens for ${effort}; raise it or lower the effort.`,
    );
  }
  body.thinking = { type: 'enabled', budget_tokens: budget };
}

function withJsonInstruction(
  system: string | undefined,
  format: ResponseFormat | undefined,
): string | undefined {
  if (format?.type !== 'json_object') return system;
  return system === undefined ? JSON_OBJECT_INSTRUCTION : `${system}\n\n${JSON_OBJECT_INSTRUCTION}`;
}

/**
 * Tools and tool choice, with `json_schema` rewritten as the forced `structured_output` tool.
 * With tools of its own and `tool_choice` `auto`, the caller lets the model either call one of
 * them or answer, so `any` over all tools keeps both open while forcing the answer through the
 * schema; `required` or a named function means this turn is a tool call, so the schema tool is
 * left out.
 */
function toolSetup(request: ChatCompletionRequest): ToolSetup {
  const callerTools = (request.tools ?? []).map(toAnthropicTool);
  const disableParallel = request.parallel_tool_calls === false;
  const choice = request.tool_choice;
  const format = request.response_format;
  if (format?.type !== 'json_schema' || choice === 'required' || typeof choice === 'object') {
    if (callerTools.length === 0) {
      // Without tools `auto` and `none` already hold; anything else is the upstream's to refuse.
      const forwarded =
        choice === undefined || choice === 'auto' || choice === 'none'
          ? undefined
          : toToolChoice(choice, disableParallel);
      return { tool_choice: forwarded, structuredOutput: false };
    }
    return {
      tools: callerTools,
      tool_choice: toToolChoice(choice, disableParallel),
      structuredOutput: false,
    };
  }
  if (callerTools.some((tool) => tool.name === STRUCTURED_OUTPUT_TOOL)) {
    throw new GatewayError(
      ErrorCode.InvalidRequest,
      `The tool name '${STRUCTURED_OUTPUT_TOOL}' is reserved for response_format json_schema on provider anthropic.`,
      { param: 'tools', provider: 'anthropic' },
    );
  }
  const tools = [...callerTools, structuredTool(format)];
  if (callerTools.length === 0 || choice === 'none') {
    return {
      tools,
      tool_choice: { type: 'tool', name: STRUCTURED_OUTPUT_TOOL },
      structuredOutput: true,
    };
  }
  const anyTool: AnthropicToolChoice = disableParallel
    ? { type: 'any', disable_parallel_tool_use: true }
    : { type: 'any' };
  return { tools, tool_choice: anyTool, structuredOutput: true };
}

function structuredTool(format: Extract<ResponseFormat, { type: 'json_schema' }>): AnthropicTool {
  const { name, description, schema } = format.json_schema;
  const intro = `Give your final answer as the input of this tool; it must match the JSON schema '${name}'.`;
  return {
    name: STRUCTURED_OUTPUT_TOOL,
    description: description === undefined ? intro : `${intro} ${description}`,
    input_schema: objectSchema(schema, 'response_format.json_schema.schema', true),
  };
}

function toAnthropicTool(tool: FunctionTool, i: number): AnthropicTool {
  const { name, description, parameters } = tool.function;
  const out: AnthropicTool = {
    name,
    input_schema: objectSchema(parameters, `tools[${i}].function.parameters`, false),
  };
  if (description !== undefined) out.description = description;
  return out;
}

/** Anthropic's `input_schema` must be an object schema; a missing `type` is taken as one. */
function objectSchema(
  schema: Record<string, unknown> | undefined,
  param: string,
  forResponseFormat: boolean,
): Record<string, unknown> {
  if (schema === undefined) return { type: 'object', properties: {} };
  if (schema.type === undefined) return { type: 'object', ...schema };
  if (schema.type === 'object') return { ...schema };
  const what = forResponseFormat ? 'a json_schema' : 'tool parameters';
  throw new GatewayError(
    forResponseFormat ? ErrorCode.UnsupportedResponseFormat : ErrorCode.UnsupportedCapability,
    `Provider 'anthropic' supports ${what} only with an object at the root ("type": "object").`,
    { param, provider: 'anthropic' },
  );
}

function toToolChoice(
  choice: ToolChoice | undefined,
  disableParallel: boolean,
): AnthropicToolChoice | undefined {
  const parallel = disableParallel ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return disableParallel ? { type: 'auto', ...parallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...parallel };
  if (choice === 'required') return { type: 'any', ...parallel };
  return { type: 'tool', name: choice.function.name, ...parallel };
}

function unsupported(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.UnsupportedCapability, message, {
    param,
    provider: 'anthropic',
  });
}
