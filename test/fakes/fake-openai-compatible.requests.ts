/**
 * The checks every OpenAI-compatible vendor makes before its own (a JSON object, a model, at least
 * one message; an embeddings input), answered in the dialect's envelope, then the dialect's. Pure.
 */
import type { FakeChatCall, FakeDialect } from './dialects/fake-dialect.js';
import { asRecord, refusal } from './dialects/fake-dialect.helpers.js';
import type { FakeAnswer } from './fake-openai-compatible.types.js';

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly answer: FakeAnswer };

export interface EmbeddingCall {
  readonly model: string;
  /** Each input as text (token arrays are embedded as their JSON). */
  readonly inputs: string[];
  readonly base64: boolean;
  readonly dimensions: number;
}

const UNPARSABLE = 'We could not parse the JSON body of your request.';

/** `routeModel`: the model the path names (Azure's deployment); the body's is then ignored. */
export function checkChat(
  dialect: FakeDialect,
  json: unknown,
  routeModel?: string,
): Checked<FakeChatCall> {
  const body = asRecord(json);
  if (body === undefined) return refuse(dialect, { message: UNPARSABLE });
  const model = routeModel ?? body.model;
  if (typeof model !== 'string' || model === '') {
    return refuse(dialect, { message: 'you must provide a model parameter', param: 'model' });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return refuse(dialect, {
      message: "[] is too short - 'messages'",
      code: 'empty_array',
      param: 'messages',
    });
  }
  const call: FakeChatCall = {
    body,
    model,
    stream: body.stream === true,
    includeUsage: asRecord(body.stream_options)?.include_usage === true,
  };
  const refused = dialect.checkChat?.(call);
  return refused ? { ok: false, answer: refused } : { ok: true, value: call };
}

export function checkEmbeddings(
  dialect: FakeDialect,
  json: unknown,
  routeModel?: string,
): Checked<EmbeddingCall> {
  const support = dialect.embeddings;
  const body = asRecord(json);
  if (body === undefined || support === undefined) return refuse(dialect, { message: UNPARSABLE });
  const refused = support.check?.(body);
  if (refused) return { ok: false, answer: refused };
  const model = routeModel ?? body.model;
  if (typeof model !== 'string' || model === '') {
    return refuse(dialect, { message: 'you must provide a model parameter', param: 'model' });
  }
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined) {
    return refuse(dialect, { message: "'input' is a required property", param: 'input' });
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && (format !== 'base64' || support.base64 === false)) {
    return refuse(dialect, {
      message: `Invalid value for 'encoding_format': ${JSON.stringify(format)} is not supported.`,
      code: 'invalid_value',
      param: 'encoding_format',
    });
  }
  return {
    ok: true,
    value: {
      model,
      inputs,
      base64: format === 'base64' && support.base64 === true,
      dimensions: typeof body.dimensions === 'number' ? body.dimensions : 8,
    },
  };
}

function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((i) => typeof i === 'number')) return [JSON.stringify(input)];
  return input.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
}

function refuse(
  dialect: FakeDialect,
  spec: Parameters<FakeDialect['error']>[1],
): { ok: false; answer: FakeAnswer } {
  return { ok: false, answer: refusal(dialect.error, 400, spec) };
}
