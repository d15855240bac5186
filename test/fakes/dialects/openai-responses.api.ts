/**
 * OpenAI's Responses API beside its Chat Completions (`POST /v1/responses`), for passthrough tests:
 * a JSON `response` object, or with `stream: true` named SSE events (`event:` then `data:`, each
 * with `sequence_number`): `response.created`, `response.in_progress`, the output items with
 * their text or argument deltas, `response.completed` with the usage (`response.incomplete` when
 * the reply's finish reason is `length`). Responses are stored unless `store: false`, so a later
 * `previous_response_id` must name one (404 in OpenAI's envelope otherwise). Unknown request
 * fields are refused with 400, as OpenAI does; `streamErrorNext` sends an `error` event.
 */
import { writeFrames } from '../fake-upstream.server.js';
import { FakeSseWriter } from '../fake-sse.writer.js';
import { DEFAULT_REPLY_TEXT, pieces } from '../fake-openai-compatible.payloads.js';
import type { FakeAnswer, FakeReply } from '../fake-openai-compatible.types.js';
import type { FakeNativeContext, FakeRoute } from './fake-dialect.js';
import { asRecord } from './fake-dialect.helpers.js';

type Json = Record<string, unknown>;

const FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'metadata',
  'stream',
  'stream_options',
  'store',
  'previous_response_id',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'truncation',
  'include',
  'background',
  'max_tool_calls',
  'top_logprobs',
  'prompt',
  'conversation',
  'context_management',
]);

/** The ids of the responses stored so far, across fakes (they are random: no collisions). */
const stored = new Set<string>();

const error = (status: number, message: string, param: string | null, code: string | null) => ({
  status,
  body: { error: { message, type: 'invalid_request_error', param, code } },
});

/** The route for `POST /v1/responses`, or undefined for any other path. */
export function openAiResponsesRoute(method: string, pathname: string): FakeRoute | undefined {
  if (pathname !== '/v1/responses') return undefined;
  if (method !== 'POST')
    return { kind: 'answer', answer: error(405, 'Method not allowed', null, null) };
  return { kind: 'native', serve: respond };
}

async function respond(context: FakeNativeContext): Promise<void> {
  const body = asRecord(context.request.body);
  if (body === undefined) return context.send(error(400, 'Invalid body', null, null));
  const refused = check(body);
  if (refused) return context.send(refused);
  const response = responseOf(body, context.reply);
  if (body.store !== false) stored.add(response.id as string);
  if (body.stream !== true) return context.send({ status: 200, body: response });

  const { res, plan, progress, format } = context;
  let events = eventsOf(response);
  if (plan?.kind === 'stream-error') {
    events = events.slice(0, plan.afterChunks);
    events.push({
      type: 'error',
      code: 'server_error',
      message: 'The server had an error processing your request.',
      param: null,
      sequence_number: events.length,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  const writer = new FakeSseWriter(res, format);
  const write = (event: unknown) =>
    writer.named((event as Json).type as string, JSON.stringify(event));
  if (!(await writeFrames(events, write, progress))) return;
  await writer.end();
}

function check(body: Json): FakeAnswer | undefined {
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key))
      return error(400, `Unknown parameter: '${key}'.`, key, 'unknown_parameter');
  }
  if (typeof body.model !== 'string' || body.model === '') {
    return error(
      400,
      "Missing required parameter: 'model'.",
      'model',
      'missing_required_parameter',
    );
  }
  const previous = body.previous_response_id;
  if (typeof previous === 'string' && !stored.has(previous)) {
    return error(
      404,
      `Previous response with id '${previous}' not found.`,
      'previous_response_id',
      'previous_response_not_found',
    );
  }
  return undefined;
}

function id(prefix: string): string {
  return `${prefix}_fake${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
}

/** The whole response the reply stands for. */
function responseOf(body: Json, reply: FakeReply): Json {
  const output: Json[] = [];
  const calls = reply.toolCalls ?? [];
  if (calls.length === 0) {
    output.push({
      id: id('msg'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
        {
          type: 'output_text',
          text: reply.content ?? DEFAULT_REPLY_TEXT,
          annotations: [],
          logprobs: [],
        },
      ],
    });
  }
  calls.forEach((call, i) =>
    output.push({
      id: id('fc'),
      type: 'function_call',
      status: 'completed',
      call_id: call.id ?? `call_fake${i}`,
      name: call.name,
      arguments: call.arguments,
    }),
  );
  const input =
    reply.usage?.prompt_tokens ?? Math.ceil(JSON.stringify(body.input ?? '').length / 4);
  const outputTokens = reply.usage?.completion_tokens ?? 9;
  const incomplete = reply.finishReason === 'length';
  return {
    id: id('resp'),
    object: 'response',
    created_at: 1_741_476_542,
    status: incomplete ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: reply.model ?? `${body.model as string}-2024-08-06`,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: {
      input_tokens: input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + outputTokens,
    },
    user: null,
    metadata: body.metadata ?? {},
  };
}

/** The events of the response's stream, numbered. */
function eventsOf(response: Json): Json[] {
  const events: Json[] = [];
  const started = {
    ...response,
    status: 'in_progress',
    output: [],
    usage: null,
    incomplete_details: null,
  };
  events.push({ type: 'response.created', response: started });
  events.push({ type: 'response.in_progress', response: started });
  (response.output as Json[]).forEach((item, output_index) => {
    if (item.type === 'message') {
      const part = (item.content as Json[])[0];
      const text = part.text as string;
      const at = { item_id: item.id, output_index, content_index: 0 };
      events.push({
        type: 'response.output_item.added',
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      events.push({ type: 'response.content_part.added', ...at, part: { ...part, text: '' } });
      for (const delta of pieces(text)) {
        events.push({
          type: 'response.output_text.delta',
          ...at,
          delta,
          logprobs: [],
          obfuscation: 'fAk3',
        });
      }
      events.push({ type: 'response.output_text.done', ...at, text, logprobs: [] });
      events.push({ type: 'response.content_part.done', ...at, part });
    } else {
      const args = item.arguments as string;
      events.push({
        type: 'response.output_item.added',
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of pieces(args)) {
        events.push({
          type: 'response.function_call_arguments.delta',
          item_id: item.id,
          output_index,
          delta,
          obfuscation: 'fAk3',
        });
      }
      events.push({
        type: 'response.function_call_arguments.done',
        item_id: item.id,
        output_index,
        name: item.name,
        arguments: args,
      });
    }
    events.push({ type: 'response.output_item.done', output_index, item });
  });
  const terminal = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  events.push({ type: terminal, response });
  return events.map((event, sequence_number) => ({ ...event, sequence_number }));
}
