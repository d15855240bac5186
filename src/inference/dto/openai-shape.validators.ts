import { ValidationOptions, registerDecorator } from 'class-validator';

/**
 * Validators for the OpenAI request fields whose shape is a union class-validator cannot express
 * with its built-ins. Each is a pure function naming the problem, shared by the decorators below
 * and the hand-written body checks; messages start with `$property` so the pipe can replace it
 * with the full path.
 */
export function define(
  name: string,
  check: (value: unknown, owner: object) => string | undefined,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value, args) => check(value, args?.object ?? {}) === undefined,
        defaultMessage: (args) =>
          `$property ${(args && check(args.value, args.object)) ?? 'is invalid'}`,
      },
    });
  };
}

/**
 * Control characters (C0, DEL, C1) and unpaired UTF-16 surrogates. No provider names a model with
 * them, a surrogate alone is no text at all (it has no UTF-8 form to send upstream), and either
 * would follow the name into headers, URLs and log lines.
 */
const NOT_IN_A_MODEL_ID = /[\p{Cc}\p{Cs}]/u;

/** `model`: a name a provider could have; type and length are other rules' concern. */
export function modelIdProblem(value: unknown): string | undefined {
  return typeof value === 'string' && NOT_IN_A_MODEL_ID.test(value)
    ? 'must not contain control characters or unpaired surrogates'
    : undefined;
}

export const IsModelId = (options?: ValidationOptions) =>
  define('isModelId', modelIdProblem, options);

/** Function and schema names (OpenAI's rule). */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const FUNCTION_NAME_MESSAGE = '$property must match [a-zA-Z0-9_-]{1,64}';

const IMAGE_DETAIL = new Set(['auto', 'low', 'high']);

/**
 * `content`: a string or an array of `text` / `image_url` parts; it may be null or absent only on
 * an assistant message that carries `tool_calls`.
 */
export function messageContentProblem(value: unknown, owner: object): string | undefined {
  const { role, tool_calls: toolCalls } = owner as { role?: unknown; tool_calls?: unknown };
  if (value === null || value === undefined) {
    return role === 'assistant' && Array.isArray(toolCalls) && toolCalls.length > 0
      ? undefined
      : 'is required';
  }
  if (typeof value === 'string') return undefined;
  if (!Array.isArray(value)) return 'must be a string or an array of content parts';
  for (let i = 0; i < value.length; i++) {
    const problem = contentPartProblem(value[i] as unknown);
    if (problem) return `[${i}] ${problem}`;
  }
  return undefined;
}

export const IsMessageContent = (options?: ValidationOptions) =>
  define('isMessageContent', messageContentProblem, options);

function contentPartProblem(part: unknown): string | undefined {
  if (typeof part !== 'object' || part === null) return 'must be a content part object';
  const { type } = part as { type?: unknown };
  if (type === 'text') {
    const { text } = part as { text?: unknown };
    return typeof text === 'string' ? undefined : "of type 'text' needs a string 'text'";
  }
  if (type === 'image_url') {
    const { image_url: image } = part as { image_url?: unknown };
    if (typeof image === 'string') return undefined;
    if (typeof image !== 'object' || image === null) return "of type 'image_url' needs 'image_url'";
    const { url, detail } = image as { url?: unknown; detail?: unknown };
    if (typeof url !== 'string' || url.length === 0) return "needs 'image_url.url'";
    if (detail !== undefined && !(typeof detail === 'string' && IMAGE_DETAIL.has(detail))) {
      return "has an invalid 'image_url.detail' (auto, low or high)";
    }
    return undefined;
  }
  // Never String(type): an object whose own `toString` is not a function throws there.
  const shown = typeof type === 'string' ? type.slice(0, 64) : type === null ? 'null' : typeof type;
  return `has an unsupported type '${shown}' (text or image_url)`;
}

/** `tool_calls`: only assistant messages carry them. */
export function toolCallsOwnerProblem(_value: unknown, owner: object): string | undefined {
  return (owner as { role?: unknown }).role === 'assistant'
    ? undefined
    : 'are only allowed on assistant messages';
}

export const OnlyOnAssistant = (options?: ValidationOptions) =>
  define('onlyOnAssistant', toolCallsOwnerProblem, options);

/** `stop`: a string or up to four strings. */
export function stopProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return undefined;
  if (Array.isArray(value) && value.length <= 4 && value.every((s) => typeof s === 'string')) {
    return undefined;
  }
  return 'must be a string or an array of at most 4 strings';
}

export const IsStop = (options?: ValidationOptions) => define('isStop', stopProblem, options);

const TOOL_CHOICE_MODES = new Set(['none', 'auto', 'required']);

/** `tool_choice`: none | auto | required | {type: 'function', function: {name}}. */
export function toolChoiceProblem(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return TOOL_CHOICE_MODES.has(value) ? undefined : 'must be none, auto, required or a function';
  }
  if (typeof value === 'object' && value !== null) {
    const { type, function: fn } = value as { type?: unknown; function?: { name?: unknown } };
    if (type === 'function' && typeof fn?.name === 'string' && fn.name.length > 0) {
      return undefined;
    }
  }
  return "must be none, auto, required or {type: 'function', function: {name}}";
}

export const IsToolChoice = (options?: ValidationOptions) =>
  define('isToolChoice', toolChoiceProblem, options);

/** Embeddings `input`: a non-empty string, array of strings, token array, or array of token arrays. */
export function embeddingInputProblem(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? undefined : 'must not be empty';
  if (!Array.isArray(value) || value.length === 0) {
    return 'must be a non-empty string or a non-empty array';
  }
  if (value.length > 2048) return 'must have at most 2048 items';
  if (value.every((v) => typeof v === 'string' && v.length > 0)) return undefined;
  if (value.every((v) => Number.isInteger(v))) return undefined;
  if (
    value.every(
      (v) => Array.isArray(v) && v.length > 0 && v.every((t: unknown) => Number.isInteger(t)),
    )
  ) {
    return undefined;
  }
  return 'must be strings, or token arrays (integers)';
}

export const IsEmbeddingInput = (options?: ValidationOptions) =>
  define('isEmbeddingInput', embeddingInputProblem, options);

/** `metadata`: up to 16 string values (OpenAI's limit). */
export function stringMapProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of strings';
  }
  const entries = Object.entries(value);
  if (entries.length > 16) return 'must have at most 16 keys';
  return entries.every(([, v]) => typeof v === 'string') ? undefined : 'values must be strings';
}

export const IsStringMap = (options?: ValidationOptions) =>
  define('isStringMap', stringMapProblem, options);
