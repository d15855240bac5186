/**
 * Ollama's native API (wire-formats sections 6.1 and 20 item 8), beside its OpenAI-compatible
 * `/v1`: `POST /api/chat` (streams NDJSON by default, one JSON object per line, the last with
 * `done: true`, `done_reason` and durations in nanoseconds; `"stream": false` for one object),
 * `GET /api/tags`, `GET /api/version`. It judges a request as Ollama does: images must be bare
 * base64 (a data URL or an https URL is refused), tool-call arguments must be objects, errors are
 * `{"error":"..."}`, and a mid-stream error is a last line `{"error":"..."}`.
 */
import { splitAwkwardly } from '../fake-sse.writer.js';
import { writeFrames } from '../fake-upstream.server.js';
import { pause, writePieces } from '../fake-upstream.stream.js';
import { DEFAULT_REPLY_TEXT, pieces } from '../fake-openai-compatible.payloads.js';
import type { FakeAnswer, FakeReply } from '../fake-openai-compatible.types.js';
import type { FakeNativeContext, FakeRoute } from './fake-dialect.js';
import { asRecord, messagesOf } from './fake-dialect.helpers.js';

export const OLLAMA_VERSION = '0.12.6';

type Json = Record<string, unknown>;

interface OllamaMessage {
  role: 'assistant';
  content: string;
  thinking?: string;
  tool_calls?: unknown[];
}

const ollamaError = (status: number, error: string): FakeAnswer => ({ status, body: { error } });

/** The native routes, or `undefined` for a path that is not one. */
export function ollamaNativeRoute(method: string, pathname: string): FakeRoute | undefined {
  if (!pathname.startsWith('/api/')) return undefined;
  const route = `${method} ${pathname}`;
  if (route === 'POST /api/chat') return { kind: 'native', serve: chat };
  if (route === 'GET /api/tags') return { kind: 'native', serve: (c) => c.send(tags(c.models)) };
  if (route === 'GET /api/version') {
    return {
      kind: 'native',
      serve: (c) => c.send({ status: 200, body: { version: OLLAMA_VERSION } }),
    };
  }
  return { kind: 'answer', answer: { status: 404, body: '404 page not found' } };
}

/** What `failNext(status)` answers on a native path. */
export function ollamaNativeFailure(status: number): FakeAnswer {
  if (status === 404) return ollamaError(404, 'model "nope" not found, try pulling it first');
  if (status === 429)
    return ollamaError(429, 'server busy, please try again.  maximum pending requests exceeded');
  if (status >= 500)
    return ollamaError(status, 'llama runner process has terminated: exit status 2');
  return ollamaError(status, 'invalid request');
}

/** The native mid-stream error line. */
export const OLLAMA_STREAM_ERROR = { error: 'an error was encountered while running the model' };

function tags(models: readonly string[]): FakeAnswer {
  const entries = models.map((name, i) => {
    const full = name.includes(':') ? name : `${name}:latest`;
    return {
      name: full,
      model: full,
      modified_at: '2025-07-07T20:32:53.844124Z',
      size: 2_019_393_189 + i,
      digest: `a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b7${i}`,
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    };
  });
  return { status: 200, body: { models: entries } };
}

async function chat(context: FakeNativeContext): Promise<void> {
  const body = asRecord(context.request.body);
  if (body === undefined) return context.send(ollamaError(400, 'invalid character in JSON body'));
  const model = body.model;
  if (typeof model !== 'string' || model === '') {
    return context.send(ollamaError(400, 'model is required'));
  }
  if (!context.knows(model) && !context.knows(model.replace(/:latest$/, ''))) {
    return context.send(ollamaError(404, `model "${model}" not found, try pulling it first`));
  }
  const refused = checkMessages(body);
  if (refused) return context.send(refused);

  const lines = answerLines(context.reply, model, body);
  if (body.stream === false) return context.send({ status: 200, body: merge(lines) });

  const { plan, res, progress, format } = context;
  let frames: unknown[] = lines;
  let stall = false;
  if (plan?.kind === 'no-finish') frames = lines.slice(0, -1);
  else if (plan?.kind === 'stream-error') {
    frames = [...lines.slice(0, -1).slice(0, plan.afterChunks), plan.error ?? OLLAMA_STREAM_ERROR];
  } else if (plan?.kind === 'stall') {
    frames = lines.slice(0, plan.afterChunks);
    stall = true;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const write = async (frame: unknown) => {
    if (format.frameDelayMs) await pause(format.frameDelayMs);
    const bytes = Buffer.from(`${JSON.stringify(frame)}\n`, 'utf8');
    return writePieces(res, format.splitWrites ? splitAwkwardly(bytes) : [bytes]);
  };
  if (!(await writeFrames(frames, write, progress)) || stall) return;
  if (format.endDelayMs) await pause(format.endDelayMs);
  if (!res.destroyed) res.end();
}

/** Ollama's rules on messages: bare base64 images, object tool-call arguments. */
function checkMessages(body: Json): FakeAnswer | undefined {
  for (const message of messagesOf(body)) {
    const images = Array.isArray(message.images) ? (message.images as unknown[]) : [];
    for (const image of images) {
      const text = String(image);
      const bad = text.search(/[^A-Za-z0-9+/=]/);
      if (bad >= 0) return ollamaError(400, `illegal base64 data at input byte ${bad}`);
    }
    const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : [];
    for (const call of calls) {
      const args = asRecord(asRecord(call)?.function)?.arguments;
      if (args !== undefined && asRecord(args) === undefined) {
        return ollamaError(
          400,
          `json: cannot unmarshal ${typeof args} into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments`,
        );
      }
    }
  }
  return undefined;
}

/** Every NDJSON line of the answer; the last one is the `done` line. */
function answerLines(reply: FakeReply, requested: string, body: Json): Json[] {
  const model = reply.model ?? requested;
  const createdAt = new Date().toISOString();
  const line = (message: Json): Json => ({
    model,
    created_at: createdAt,
    message: { role: 'assistant', content: '', ...message },
    done: false,
  });
  const lines: Json[] = [];
  for (const piece of reply.reasoning ? pieces(reply.reasoning) : []) {
    lines.push(line({ thinking: piece }));
  }
  const calls = reply.toolCalls ?? [];
  if (calls.length > 0) {
    const toolCalls = calls.map((c, index) => ({
      id: c.id ?? `call_${index}`,
      function: { index, name: c.name, arguments: JSON.parse(c.arguments) as unknown },
    }));
    lines.push(line({ tool_calls: toolCalls }));
  } else {
    for (const piece of pieces(reply.content ?? DEFAULT_REPLY_TEXT))
      lines.push(line({ content: piece }));
  }
  const prompt = reply.usage?.prompt_tokens ?? Math.ceil(JSON.stringify(body.messages).length / 4);
  const evalCount = reply.usage?.completion_tokens ?? Math.max(1, lines.length);
  lines.push({
    model,
    created_at: createdAt,
    message: { role: 'assistant', content: '' },
    done_reason: reply.finishReason === 'length' ? 'length' : 'stop',
    done: true,
    total_duration: 3_244_883_583,
    load_duration: 2_969_184_542,
    prompt_eval_count: prompt,
    prompt_eval_duration: 141_656_333,
    eval_count: evalCount,
    eval_duration: 133_293_625,
  });
  return lines;
}

/** The `"stream": false` answer: the lines' message parts joined into the `done` line. */
function merge(lines: Json[]): Json {
  const parts = lines.slice(0, -1).map((line) => line.message as OllamaMessage);
  const message: OllamaMessage = {
    role: 'assistant',
    content: parts.map((p) => p.content).join(''),
  };
  const thinking = parts.map((p) => p.thinking ?? '').join('');
  if (thinking) message.thinking = thinking;
  const toolCalls = parts.find((p) => p.tool_calls)?.tool_calls;
  if (toolCalls) message.tool_calls = toolCalls;
  return { ...lines[lines.length - 1], message };
}
