import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ResponseFormat,
  ToolChoice,
} from '../../providers/llm-provider.types.js';
import type {
  ResponsesContentPart,
  ResponsesFunctionTool,
  ResponsesRequest,
  ResponsesTextFormat,
} from './dto/responses-request.schema.js';

/*
 * Pure translation of a Responses request into the gateway's chat form (contract 16), the form the
 * governance stages read and every provider takes. It runs before routing, when the target is not
 * known yet, so it never refuses: what only a native Responses upstream honours (stored responses,
 * built-in tools, files, item references) is left out of the chat form, and
 * {@link translationGap} names it once routing decided the call is translated. Built-in tools stay
 * in the chat form as function tools named by their type, so policies on tool names see them.
 */

type InputItem = Exclude<ResponsesRequest['input'], string>[number];
type Json = Record<string, unknown>;

/** The chat request a Responses request stands for. */
export function toChatRequest(request: ResponsesRequest): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (typeof request.instructions === 'string' && request.instructions !== '') {
    messages.push({ role: 'system', content: request.instructions });
  }
  if (typeof request.input === 'string') {
    messages.push({ role: 'user', content: request.input });
  } else {
    for (const item of request.input) appendItem(messages, item);
  }
  const chat: ChatCompletionRequest = { model: request.model, messages };
  const tools = (request.tools ?? []).map(toFunctionTool);
  if (tools.length > 0) chat.tools = tools;
  const choice = toToolChoice(request.tool_choice);
  if (choice !== undefined) chat.tool_choice = choice;
  if (typeof request.parallel_tool_calls === 'boolean') {
    chat.parallel_tool_calls = request.parallel_tool_calls;
  }
  const format = request.text?.format;
  if (format !== undefined) chat.response_format = toResponseFormat(format);
  if (typeof request.max_output_tokens === 'number') chat.max_tokens = request.max_output_tokens;
  if (typeof request.temperature === 'number') chat.temperature = request.temperature;
  if (typeof request.top_p === 'number') chat.top_p = request.top_p;
  const effort = request.reasoning?.effort;
  if (typeof effort === 'string') chat.reasoning_effort = effort;
  if (request.metadata !== undefined && request.metadata !== null) {
    chat.metadata = { ...request.metadata };
  }
  const user = request.safety_identifier ?? request.user;
  if (typeof user === 'string' && user !== '') chat.user = user;
  if (request.stream === true) {
    chat.stream = true;
    // The Responses stream ends with the usage; the chat stream gives it only when asked.
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

/**
 * What of the request a translation to chat cannot honour, named by its field: the first one, in
 * body order, or undefined when it translates whole. Hints that do not change what the answer
 * means (`prompt_cache_key`, `prompt_cache_retention`, `service_tier`, `stream_options`, earlier
 * `reasoning` items, `truncation: "disabled"`) are not gaps; everything else left out is.
 */
export function translationGap(request: ResponsesRequest): GatewayError | undefined {
  if (request.store === true) {
    return gap('store', 'Stored responses (store: true) exist only where the target stores them.');
  }
  if (typeof request.previous_response_id === 'string') {
    return gap(
      'previous_response_id',
      'previous_response_id needs the target that stored the earlier response.',
    );
  }
  for (const field of ['conversation', 'prompt', 'context_management'] as const) {
    if (request[field] !== undefined && request[field] !== null) {
      return gap(field, `${field} is honoured only by the Responses API itself.`);
    }
  }
  if (request.background === true) {
    return gap('background', 'Background responses are honoured only by the Responses API itself.');
  }
  if (request.include !== undefined && request.include !== null && request.include.length > 0) {
    return gap('include', 'include is honoured only by the Responses API itself.');
  }
  if (request.truncation === 'auto') {
    return gap('truncation', "truncation 'auto' is honoured only by the Responses API itself.");
  }
  for (const field of ['max_tool_calls', 'top_logprobs'] as const) {
    if (typeof request[field] === 'number') {
      return gap(field, `${field} is honoured only by the Responses API itself.`);
    }
  }
  if (typeof request.text?.verbosity === 'string') {
    return gap('text.verbosity', 'text.verbosity is honoured only by the Responses API itself.');
  }
  const summary = request.reasoning?.summary ?? request.reasoning?.generate_summary;
  if (typeof summary === 'string') {
    return gap('reasoning.summary', 'Reasoning summaries come only from the Responses API itself.');
  }
  return inputGap(request.input) ?? toolsGap(request);
}

function inputGap(input: ResponsesRequest['input']): GatewayError | undefined {
  if (typeof input === 'string') return undefined;
  for (const [i, item] of input.entries()) {
    const type = itemType(item);
    const param = `input[${i}]`;
    if (type === 'message' || type === 'function_call_output') {
      const json = item as Json;
      const parts = type === 'message' ? json.content : json.output;
      if (!Array.isArray(parts)) continue;
      // Chat carries images only in user messages.
      const imagesFit = type === 'message' && json.role === 'user';
      const where = type === 'message' ? 'content' : 'output';
      for (const [j, part] of (parts as ResponsesContentPart[]).entries()) {
        const why = partGap(part, imagesFit);
        if (why !== undefined) return gap(`${param}.${where}[${j}]`, why);
      }
    } else if (type !== 'function_call' && type !== 'reasoning') {
      return gap(param, `An input item of type '${type}' is not translated.`);
    }
  }
  return undefined;
}

function partGap(part: ResponsesContentPart, imagesFit: boolean): string | undefined {
  if (part.type === 'input_file') return 'An input_file part is not translated.';
  if (part.type !== 'input_image') return undefined;
  if (!imagesFit) return 'An input_image is translated only in a user message.';
  if (typeof part.image_url !== 'string') {
    return 'An input_image is translated only with an image_url (not a file_id).';
  }
  return undefined;
}

function toolsGap(request: ResponsesRequest): GatewayError | undefined {
  for (const [i, tool] of (request.tools ?? []).entries()) {
    if (tool.type !== 'function') {
      return gap(`tools[${i}]`, `The built-in tool '${tool.type}' is not translated.`);
    }
  }
  const choice = request.tool_choice;
  if (typeof choice === 'object' && choice.type !== 'function') {
    return gap('tool_choice', `A tool_choice of type '${choice.type}' is not translated.`);
  }
  return undefined;
}

function gap(param: string, why: string): GatewayError {
  return new GatewayError(
    ErrorCode.UnsupportedCapability,
    `${why} The model this request is routed to is reached through translation to chat.`,
    { param },
  );
}

function itemType(item: InputItem): string {
  return typeof item.type === 'string' ? item.type : 'message';
}

/** One input item onto the chat messages so far. */
function appendItem(messages: ChatMessage[], item: InputItem): void {
  const json = item as Json;
  switch (itemType(item)) {
    case 'message':
      messages.push(messageOf(json));
      return;
    case 'function_call': {
      const call = {
        id: json.call_id as string,
        type: 'function' as const,
        function: { name: json.name as string, arguments: json.arguments as string },
      };
      // Calls of one turn share its assistant message, as chat carries them; no tool result
      // may sit between that message and its calls.
      const last = messages.at(-1);
      if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    case 'function_call_output':
      messages.push({
        role: 'tool',
        tool_call_id: json.call_id as string,
        content: outputText(json.output as string | ResponsesContentPart[]),
      });
      return;
    default:
      // Earlier reasoning is the vendor's state; other typed items are translation gaps.
      return;
  }
}

function messageOf(item: Json): ChatMessage {
  const role = item.role as 'user' | 'assistant' | 'system' | 'developer';
  const content = item.content as string | ResponsesContentPart[];
  if (typeof content === 'string') return { role, content };
  if (role === 'assistant') {
    const text = content
      .map((part) =>
        part.type === 'output_text' || part.type === 'input_text'
          ? part.text
          : part.type === 'refusal'
            ? part.refusal
            : '',
      )
      .join('');
    return { role, content: text };
  }
  const parts: ContentPart[] = [];
  for (const part of content) {
    const translated = toContentPart(part);
    if (translated !== undefined) parts.push(translated);
  }
  if (role !== 'user' || parts.every((part) => part.type === 'text')) {
    return { role, content: parts.map((part) => (part.type === 'text' ? part.text : '')).join('') };
  }
  return { role, content: parts };
}

function toContentPart(part: ResponsesContentPart): ContentPart | undefined {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image': {
      if (typeof part.image_url !== 'string') return undefined;
      const detail = part.detail ?? undefined;
      return {
        type: 'image_url',
        image_url: { url: part.image_url, ...(detail ? { detail } : {}) },
      };
    }
    case 'input_file':
      return undefined;
  }
}

function outputText(output: string | ResponsesContentPart[]): string {
  if (typeof output === 'string') return output;
  return output
    .map((part) => {
      const translated = toContentPart(part);
      return translated?.type === 'text' ? translated.text : '';
    })
    .join('');
}

function toFunctionTool(tool: NonNullable<ResponsesRequest['tools']>[number]): FunctionTool {
  if (tool.type !== 'function') return { type: 'function', function: { name: tool.type } };
  const fn = tool as ResponsesFunctionTool;
  const out: FunctionTool['function'] = { name: fn.name };
  if (typeof fn.description === 'string') out.description = fn.description;
  out.parameters = fn.parameters ?? { type: 'object', properties: {} };
  if (typeof fn.strict === 'boolean') out.strict = fn.strict;
  return { type: 'function', function: out };
}

function toToolChoice(choice: ResponsesRequest['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && typeof choice.name === 'string') {
    return { type: 'function', function: { name: choice.name } };
  }
  return undefined;
}

function toResponseFormat(format: ResponsesTextFormat): ResponseFormat {
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const schema: Extract<ResponseFormat, { type: 'json_schema' }>['json_schema'] = {
        name: format.name,
        schema: format.schema,
      };
      if (format.description !== undefined) schema.description = format.description;
      if (typeof format.strict === 'boolean') schema.strict = format.strict;
      return { type: 'json_schema', json_schema: schema };
    }
  }
}
