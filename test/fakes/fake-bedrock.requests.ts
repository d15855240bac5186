/**
 * How the fake Bedrock judges a request body, with Bedrock's own wording where it is known
 * (wire-formats 5.1): Converse's structural rules (roles alternate from `user`, tool results
 * answer the previous turn's tool uses, tool blocks need a `toolConfig`, inference ranges) and
 * Titan's embedding body. Pure.
 */

/** A refusal: `ValidationException`, HTTP 400, unless it says otherwise. */
export interface Refusal {
  readonly message: string;
}

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

export type Json = Record<string, unknown>;

const CONVERSE_FIELDS: ReadonlySet<string> = new Set([
  'messages', 'system', 'inferenceConfig', 'toolConfig', 'guardrailConfig',
  'additionalModelRequestFields', 'promptVariables', 'additionalModelResponseFieldPaths',
  'requestMetadata', 'performanceConfig', 'serviceTier', 'outputConfig',
]); // prettier-ignore

const INFERENCE_FIELDS: ReadonlySet<string> = new Set([
  'maxTokens',
  'temperature',
  'topP',
  'stopSequences',
]);

const BLOCK_KINDS: ReadonlySet<string> = new Set([
  'text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint',
  'reasoningContent', 'citationsContent',
]); // prettier-ignore

const IMAGE_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'gif', 'webp']);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const TOOL_USE_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface ConverseCall {
  readonly body: Json;
  /** Every text of the request, for the fake's token counts. */
  readonly promptText: string;
}

export function checkConverseRequest(json: unknown): Checked<ConverseCall> {
  const body = asRecord(json);
  if (body === undefined)
    return refuse('Malformed input request, please reformat your input and try again.');
  const unknown = Object.keys(body).find((key) => !CONVERSE_FIELDS.has(key));
  if (unknown !== undefined) return refuse(`Unknown field '${unknown}' in the request.`);

  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return refuse(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  }
  const texts: string[] = [];
  const systemError = checkSystem(body.system, texts);
  if (systemError) return refuse(systemError);

  let usesTools = false;
  let previousToolUses: string[] = [];
  for (const [i, entry] of messages.entries()) {
    const message = asRecord(entry);
    const role = message?.role;
    if (role !== 'user' && role !== 'assistant') {
      return refuse(
        `Value at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`,
      );
    }
    if (i === 0 && role !== 'user') {
      return refuse(
        'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
      );
    }
    if (i > 0 && asRecord(messages[i - 1])?.role === role) {
      return refuse(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    }
    const content = message?.content;
    if (!Array.isArray(content) || content.length === 0) {
      return refuse(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    const toolUses: string[] = [];
    const toolResults: string[] = [];
    for (const [j, rawBlock] of content.entries()) {
      const where = `messages.${i}.content.${j}`;
      const block = asRecord(rawBlock);
      const kinds = block === undefined ? [] : Object.keys(block);
      if (kinds.length !== 1 || !BLOCK_KINDS.has(kinds[0])) {
        return refuse(`The ContentBlock object at ${where} must set exactly one of its members.`);
      }
      const error = checkBlock(
        kinds[0],
        block![kinds[0]],
        where,
        role,
        texts,
        toolUses,
        toolResults,
      );
      if (error) return refuse(error);
    }
    if (toolUses.length > 0 || toolResults.length > 0) usesTools = true;
    if (role === 'user') {
      const extra = toolResults.find((id) => !previousToolUses.includes(id));
      if (extra !== undefined) {
        return refuse(
          `The number of toolResult blocks at messages.${i}.content exceeds the number of toolUse blocks of previous turn.`,
        );
      }
      const missing = previousToolUses.filter((id) => !toolResults.includes(id));
      if (missing.length > 0) {
        return refuse(
          `Expected toolResult blocks at messages.${i}.content for the following Ids: ${missing.join(', ')}`,
        );
      }
    }
    previousToolUses = role === 'assistant' ? toolUses : [];
  }

  const toolConfig = body.toolConfig;
  if (usesTools && toolConfig === undefined) {
    return refuse(
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
  }
  if (toolConfig !== undefined) {
    const error = checkToolConfig(toolConfig);
    if (error) return refuse(error);
  }
  if (body.inferenceConfig !== undefined) {
    const error = checkInference(body.inferenceConfig);
    if (error) return refuse(error);
  }
  return { ok: true, value: { body, promptText: texts.join(' ') } };
}

export interface TitanCall {
  readonly inputText: string;
  readonly dimensions: number;
}

/** Titan Text Embeddings V2 (`amazon.titan-embed-text-v2:0`): 1024 dimensions unless asked. */
export function checkTitanRequest(
  modelId: string,
  contentType: string | undefined,
  json: unknown,
): Checked<TitanCall> {
  if (!/^amazon\.titan-embed-text-v2/.test(modelId)) {
    return refuse(
      `The fake serves InvokeModel for amazon.titan-embed-text-v2 only, not ${modelId}.`,
    );
  }
  if (contentType !== 'application/json')
    return refuse('The provided content type is not supported.');
  const body = asRecord(json);
  if (body === undefined || typeof body.inputText !== 'string' || body.inputText.trim() === '') {
    return refuse(
      'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.',
    );
  }
  const extra = Object.keys(body).find(
    (k) => !['inputText', 'dimensions', 'normalize', 'embeddingTypes'].includes(k),
  );
  if (extra !== undefined) {
    return refuse(
      `Malformed input request: #: extraneous key [${extra}] is not permitted, please reformat your input and try again.`,
    );
  }
  const dimensions = body.dimensions ?? 1024;
  if (dimensions !== 256 && dimensions !== 512 && dimensions !== 1024) {
    return refuse(
      `Malformed input request: #/dimensions: ${JSON.stringify(dimensions)} is not a valid enum value, please reformat your input and try again.`,
    );
  }
  return { ok: true, value: { inputText: body.inputText, dimensions } };
}

function checkSystem(system: unknown, texts: string[]): string | undefined {
  if (system === undefined) return undefined;
  if (!Array.isArray(system))
    return "Value at 'system' failed to satisfy constraint: Member must be a list.";
  for (const [i, entry] of system.entries()) {
    const block = asRecord(entry);
    if (block?.cachePoint !== undefined || block?.guardContent !== undefined) continue;
    if (typeof block?.text !== 'string' || block.text.trim() === '') {
      return `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`;
    }
    texts.push(block.text);
  }
  return undefined;
}

function checkBlock(
  kind: string,
  value: unknown,
  where: string,
  role: 'user' | 'assistant',
  texts: string[],
  toolUses: string[],
  toolResults: string[],
): string | undefined {
  switch (kind) {
    case 'text':
      if (typeof value !== 'string' || value.trim() === '') {
        return `The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`;
      }
      texts.push(value);
      return undefined;
    case 'image': {
      const image = asRecord(value);
      const bytes = asRecord(image?.source)?.bytes;
      if (typeof image?.format !== 'string' || !IMAGE_FORMATS.has(image.format)) {
        return `Value at '${where}.image.format' failed to satisfy constraint: Member must satisfy enum value set: [gif, jpeg, png, webp]`;
      }
      if (typeof bytes !== 'string' || bytes === '' || !BASE64.test(bytes)) {
        return `The image bytes at ${where} are not valid base64.`;
      }
      return undefined;
    }
    case 'toolUse': {
      if (role !== 'assistant')
        return `The toolUse block at ${where} is only allowed in assistant messages.`;
      const use = asRecord(value);
      if (typeof use?.toolUseId !== 'string' || !TOOL_USE_ID.test(use.toolUseId)) {
        return `Value at '${where}.toolUse.toolUseId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+`;
      }
      if (typeof use.name !== 'string' || !TOOL_NAME.test(use.name)) {
        return `Value at '${where}.toolUse.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+`;
      }
      if (asRecord(use.input) === undefined)
        return `The toolUse input at ${where} must be a JSON object.`;
      toolUses.push(use.toolUseId);
      texts.push(JSON.stringify(use.input));
      return undefined;
    }
    case 'toolResult': {
      if (role !== 'user')
        return `The toolResult block at ${where} is only allowed in user messages.`;
      const result = asRecord(value);
      if (typeof result?.toolUseId !== 'string')
        return `The toolResult at ${where} has no toolUseId.`;
      if (!Array.isArray(result.content)) return `The toolResult at ${where} has no content list.`;
      if (result.status !== undefined && result.status !== 'success' && result.status !== 'error') {
        return `Value at '${where}.toolResult.status' failed to satisfy constraint: Member must satisfy enum value set: [success, error]`;
      }
      for (const item of result.content) {
        const part = asRecord(item);
        if (typeof part?.text === 'string') texts.push(part.text);
        else if (
          part?.json === undefined &&
          part?.image === undefined &&
          part?.document === undefined
        ) {
          return `The toolResult content at ${where} must hold text, json, image or document blocks.`;
        }
      }
      toolResults.push(result.toolUseId);
      return undefined;
    }
    default:
      return undefined;
  }
}

function checkToolConfig(value: unknown): string | undefined {
  const config = asRecord(value);
  const tools = config?.tools;
  if (!Array.isArray(tools) || tools.length === 0) {
    return "Value at 'toolConfig.tools' failed to satisfy constraint: Member must have length greater than or equal to 1";
  }
  const names: string[] = [];
  for (const [i, entry] of tools.entries()) {
    const spec = asRecord(asRecord(entry)?.toolSpec);
    if (asRecord(entry)?.cachePoint !== undefined) continue;
    if (typeof spec?.name !== 'string' || !TOOL_NAME.test(spec.name)) {
      return `Value at 'toolConfig.tools.${i + 1}.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+`;
    }
    const schema = asRecord(asRecord(spec.inputSchema)?.json);
    if (schema === undefined)
      return `The toolSpec at toolConfig.tools.${i} needs inputSchema.json.`;
    if (schema.type !== 'object')
      return `The tool input schema at toolConfig.tools.${i} must have type object.`;
    if (names.includes(spec.name)) return `The toolConfig holds the tool name ${spec.name} twice.`;
    names.push(spec.name);
  }
  const choice = config?.toolChoice;
  if (choice === undefined) return undefined;
  const picked = asRecord(choice);
  const kinds = picked === undefined ? [] : Object.keys(picked);
  if (kinds.length !== 1 || !['auto', 'any', 'tool'].includes(kinds[0])) {
    return 'The toolChoice must set exactly one of auto, any or tool.';
  }
  if (kinds[0] === 'tool') {
    const name = asRecord(picked!.tool)?.name;
    if (typeof name !== 'string' || !names.includes(name)) {
      return `The tool named in toolChoice (${String(name)}) is not in toolConfig.tools.`;
    }
  }
  return undefined;
}

function checkInference(value: unknown): string | undefined {
  const config = asRecord(value);
  if (config === undefined)
    return "Value at 'inferenceConfig' failed to satisfy constraint: Member must be a structure.";
  const unknown = Object.keys(config).find((key) => !INFERENCE_FIELDS.has(key));
  if (unknown !== undefined) return `Unknown field 'inferenceConfig.${unknown}'.`;
  const constraint = (field: string, v: unknown, rule: string) =>
    `1 validation error detected: Value '${String(v)}' at 'inferenceConfig.${field}' failed to satisfy constraint: ${rule}`;
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    return constraint('maxTokens', maxTokens, 'Member must have value greater than or equal to 1');
  }
  for (const [field, v] of [
    ['temperature', temperature],
    ['topP', topP],
  ] as const) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || v < 0)
      return constraint(field, v, 'Member must have value greater than or equal to 0');
    if (v > 1) return constraint(field, v, 'Member must have value less than or equal to 1');
  }
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences) || stopSequences.length > 2500) {
      return constraint(
        'stopSequences',
        stopSequences,
        'Member must have length less than or equal to 2500',
      );
    }
    if (stopSequences.some((s) => typeof s !== 'string' || s === '')) {
      return constraint(
        'stopSequences',
        stopSequences,
        'Member must have length greater than or equal to 1',
      );
    }
  }
  return undefined;
}

function refuse(message: string): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { message } };
}

export function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}
