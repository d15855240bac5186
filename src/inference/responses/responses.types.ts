/**
 * What `POST /v1/responses` answers when it translates (contract 16), as OpenAI's Responses API
 * documents it (`Response`, `ResponseStreamEvent` in openai/openai-openapi): the response object,
 * its output items, and the events of its stream.
 */

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseOutputContent =
  | { type: 'output_text'; text: string; annotations: []; logprobs: [] }
  | { type: 'refusal'; refusal: string };

export interface ResponseMessageItem {
  id: string;
  type: 'message';
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: ResponseOutputContent[];
}

export interface ResponseFunctionCallItem {
  id: string;
  type: 'function_call';
  status: 'in_progress' | 'completed' | 'incomplete';
  call_id: string;
  name: string;
  arguments: string;
}

export type ResponseOutputItem = ResponseMessageItem | ResponseFunctionCallItem;

/** The response object; the echo of the request's settings is what the API itself returns. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: false;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponseOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: null };
  store: false;
  temperature: number | null;
  text: { format: Record<string, unknown> };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: 'disabled';
  usage: ResponseUsage | null;
  user?: string;
  metadata: Record<string, string>;
}

export type ResponsesStreamEvent =
  | { type: 'response.created'; sequence_number: number; response: ResponseObject }
  | { type: 'response.in_progress'; sequence_number: number; response: ResponseObject }
  | {
      type: 'response.output_item.added' | 'response.output_item.done';
      sequence_number: number;
      output_index: number;
      item: ResponseOutputItem;
    }
  | {
      type: 'response.content_part.added' | 'response.content_part.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      part: ResponseOutputContent;
    }
  | {
      type: 'response.output_text.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
      logprobs: [];
    }
  | {
      type: 'response.output_text.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      text: string;
      logprobs: [];
    }
  | {
      type: 'response.refusal.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
    }
  | {
      type: 'response.refusal.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      refusal: string;
    }
  | {
      type: 'response.function_call_arguments.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      delta: string;
    }
  | {
      type: 'response.function_call_arguments.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      name: string;
      arguments: string;
    }
  | {
      type: 'response.completed' | 'response.incomplete' | 'response.failed';
      sequence_number: number;
      response: ResponseObject;
    };
