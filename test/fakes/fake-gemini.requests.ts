/**
 * How the fake Gemini server judges a request, refusing what the Generative Language API refuses
 * (wire-formats 4.1, 4.2, 4.5, 20.4) in its words: unknown field names (`Unknown name "$schema"`),
 * schema keywords outside the OpenAPI subset, roles other than user/model, turns that do not
 * alternate, function responses without a name or an object `response`, function-response turns
 * that do not answer every call, and function calls sent back without the thought signature they
 * were issued with (the schema and turn rules live in `fake-gemini.schema-check.ts` and
 * `fake-gemini.turns.ts`). Field names are accepted in camelCase and snake_case, as proto-JSON
 * does. Pure, given the set of signatures the fake issued.
 */
import {
  asRecord,
  type Checked,
  field,
  guarded,
  invalid,
  type Json,
  join,
  knownFields,
} from './fake-gemini.refusal.js';
import { checkSchema } from './fake-gemini.schema-check.js';
import { checkTurns } from './fake-gemini.turns.js';

export { SKIP_SIGNATURE } from './fake-gemini.turns.js';

const REQUEST_FIELDS = new Set([
  'model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig',
  'safetySettings', 'cachedContent',
]); // prettier-ignore
const GENERATION_FIELDS = new Set([
  'temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences',
  'presencePenalty', 'frequencyPenalty', 'seed', 'responseMimeType', 'responseSchema',
  'responseJsonSchema', 'responseLogprobs', 'logprobs', 'thinkingConfig', 'responseModalities',
  'mediaResolution', 'speechConfig', 'enableEnhancedCivicAnswers', 'imageConfig',
]); // prettier-ignore
const CONTENT_FIELDS = new Set(['role', 'parts']);
const PART_DATA = [
  'text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode',
  'codeExecutionResult',
]; // prettier-ignore
const PART_FIELDS = new Set([
  ...PART_DATA, 'thought', 'thoughtSignature', 'videoMetadata', 'partMetadata', 'mediaResolution',
]); // prettier-ignore
const TOOL_FIELDS = new Set([
  'functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext',
]); // prettier-ignore
const DECLARATION_FIELDS = new Set([
  'name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema',
  'behavior',
]); // prettier-ignore
const EMBED_FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

export interface GenerateCall {
  readonly body: Json;
  /** Names of the declared functions. */
  readonly functions: readonly string[];
}

export interface EmbedCall {
  readonly texts: readonly string[];
  readonly dimensions: number | undefined;
}

export function checkGenerateRequest(
  json: unknown,
  issuedSignatures: ReadonlySet<string>,
): Checked<GenerateCall> {
  return guarded(() => {
    const body = asRecord(json);
    if (body === undefined) throw invalid('Invalid JSON payload received. Unexpected token.');
    knownFields(body, REQUEST_FIELDS, '');
    const contents = field(body, 'contents');
    if (!Array.isArray(contents) || contents.length === 0) {
      throw invalid('* GenerateContentRequest.contents: contents is not specified\n');
    }
    contents.forEach((c, i) => checkContent(c, `contents[${i}]`));
    const system = field(body, 'systemInstruction');
    if (system !== undefined) checkContent(system, 'system_instruction');
    const functions = checkTools(field(body, 'tools'));
    checkToolConfig(field(body, 'toolConfig'), functions);
    checkGenerationConfig(field(body, 'generationConfig'));
    checkTurns(contents as Json[], issuedSignatures);
    return { body, functions };
  });
}

export function checkEmbedRequest(json: unknown): Checked<EmbedCall> {
  return guarded(() => {
    const body = asRecord(json);
    if (body === undefined) throw invalid('Invalid JSON payload received. Unexpected token.');
    return checkEmbedEntry(body, '', undefined);
  });
}

export function checkBatchEmbedRequest(json: unknown, urlModel: string): Checked<EmbedCall> {
  return guarded(() => {
    const body = asRecord(json);
    if (body === undefined) throw invalid('Invalid JSON payload received. Unexpected token.');
    knownFields(body, new Set(['requests']), '');
    const requests = body.requests;
    if (!Array.isArray(requests) || requests.length === 0) {
      throw invalid('* BatchEmbedContentsRequest.requests: requests is not specified\n');
    }
    const entries = requests.map((r, i) => {
      const entry = asRecord(r);
      if (entry === undefined) throw invalid(`Invalid value at 'requests[${i}]'`);
      return checkEmbedEntry(entry, `requests[${i}]`, urlModel);
    });
    const dimensions = new Set(entries.map((e) => e.dimensions));
    return {
      texts: entries.flatMap((e) => e.texts),
      dimensions: dimensions.size === 1 ? entries[0].dimensions : undefined,
    };
  });
}

function checkEmbedEntry(entry: Json, path: string, urlModel: string | undefined): EmbedCall {
  knownFields(entry, EMBED_FIELDS, path);
  if (urlModel !== undefined && field(entry, 'model') !== `models/${urlModel}`) {
    throw invalid(
      `* BatchEmbedContentsRequest.${path}.model: Model names in the batch must match the model in the URL (models/${urlModel}).\n`,
    );
  }
  const content = asRecord(field(entry, 'content'));
  if (content === undefined) {
    throw invalid(`* EmbedContentRequest.${join(path, 'content')}: content is not specified\n`);
  }
  checkContent(content, join(path, 'content'));
  const texts = (content.parts as Json[]).map((p) => (typeof p.text === 'string' ? p.text : ''));
  const dims = field(entry, 'outputDimensionality');
  if (dims !== undefined && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1)) {
    throw invalid(`Invalid value at '${join(path, 'output_dimensionality')}' (TYPE_INT32)`);
  }
  return { texts: [texts.join(' ')], dimensions: dims };
}

function checkContent(value: unknown, path: string): void {
  const content = asRecord(value);
  if (content === undefined) throw invalid(`Invalid value at '${path}'`);
  knownFields(content, CONTENT_FIELDS, path);
  const role = content.role;
  if (role !== undefined && role !== 'user' && role !== 'model') {
    throw invalid('Please use a valid role: user, model.');
  }
  const parts = content.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw invalid(`* GenerateContentRequest.${path}.parts: contents.parts must not be empty.\n`);
  }
  parts.forEach((p, i) => checkPart(p, `${path}.parts[${i}]`));
}

function checkPart(value: unknown, path: string): void {
  const part = asRecord(value);
  if (part === undefined) throw invalid(`Invalid value at '${path}'`);
  knownFields(part, PART_FIELDS, path);
  const data = PART_DATA.filter((name) => field(part, name) !== undefined);
  if (data.length !== 1) {
    throw invalid(
      `* GenerateContentRequest.${path}.data: required oneof field 'data' must have one initialized field\n`,
    );
  }
  const inline = asRecord(field(part, 'inlineData'));
  if (field(part, 'inlineData') !== undefined) {
    const mime = inline === undefined ? undefined : field(inline, 'mimeType');
    const bytes = inline?.data;
    if (typeof mime !== 'string' || mime === '') {
      throw invalid(
        `* GenerateContentRequest.${path}.inline_data.mime_type: mime_type is not specified\n`,
      );
    }
    if (typeof bytes !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(bytes)) {
      throw invalid(
        `Invalid value at '${path}.inline_data.data' (TYPE_BYTES), Base64 decoding failed`,
      );
    }
  }
  const call = field(part, 'functionCall');
  if (call !== undefined) {
    const c = asRecord(call);
    if (typeof c?.name !== 'string' || c.name === '') {
      throw invalid(`* GenerateContentRequest.${path}.function_call.name: Name cannot be empty.\n`);
    }
    if (c.args !== undefined && asRecord(c.args) === undefined) {
      throw invalid(
        `Invalid value at '${path}.function_call.args' (type.googleapis.com/google.protobuf.Struct)`,
      );
    }
  }
  const response = field(part, 'functionResponse');
  if (response !== undefined) {
    const r = asRecord(response);
    if (typeof r?.name !== 'string' || r.name === '') {
      throw invalid(
        `* GenerateContentRequest.${path}.function_response.name: Name cannot be empty.\n`,
      );
    }
    if (asRecord(r.response) === undefined) {
      throw invalid(
        `Invalid value at '${path}.function_response.response' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(r.response ?? null)}`,
      );
    }
  }
}

function checkTools(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid("Invalid value at 'tools'");
  const names: string[] = [];
  value.forEach((t, i) => {
    const tool = asRecord(t);
    if (tool === undefined) throw invalid(`Invalid value at 'tools[${i}]'`);
    knownFields(tool, TOOL_FIELDS, `tools[${i}]`);
    const declarations = field(tool, 'functionDeclarations');
    if (declarations === undefined) return;
    if (!Array.isArray(declarations)) {
      throw invalid(`Invalid value at 'tools[${i}].function_declarations'`);
    }
    declarations.forEach((d, j) => {
      const path = `tools[${i}].function_declarations[${j}]`;
      const declaration = asRecord(d);
      if (declaration === undefined) throw invalid(`Invalid value at '${path}'`);
      knownFields(declaration, DECLARATION_FIELDS, path);
      const name = declaration.name;
      if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
        throw invalid(
          `* GenerateContentRequest.${path}.name: Invalid function name. Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length of 64.\n`,
        );
      }
      const parameters = declaration.parameters;
      if (parameters !== undefined) checkSchema(parameters, `${path}.parameters`);
      names.push(name);
    });
  });
  return names;
}

function checkToolConfig(value: unknown, functions: readonly string[]): void {
  if (value === undefined) return;
  const config = asRecord(value);
  if (config === undefined) throw invalid("Invalid value at 'tool_config'");
  knownFields(config, new Set(['functionCallingConfig']), 'tool_config');
  const calling = asRecord(field(config, 'functionCallingConfig'));
  if (calling === undefined) return;
  knownFields(
    calling,
    new Set(['mode', 'allowedFunctionNames']),
    'tool_config.function_calling_config',
  );
  const mode = calling.mode;
  if (mode !== undefined && !['AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(mode as string)) {
    throw invalid(
      `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(mode)}`,
    );
  }
  const allowed = field(calling, 'allowedFunctionNames');
  if (allowed === undefined) return;
  if (mode !== 'ANY' && mode !== 'VALIDATED') {
    throw invalid(
      '* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: allowed_function_names should be set only when the mode is ANY.\n',
    );
  }
  for (const name of Array.isArray(allowed) ? allowed : []) {
    if (!functions.includes(String(name))) {
      throw invalid(
        `* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: function ${String(name)} is not declared.\n`,
      );
    }
  }
}

function checkGenerationConfig(value: unknown): void {
  if (value === undefined) return;
  const config = asRecord(value);
  if (config === undefined) throw invalid("Invalid value at 'generation_config'");
  knownFields(config, GENERATION_FIELDS, 'generation_config');
  const temperature = config.temperature;
  if (typeof temperature === 'number' && (temperature < 0 || temperature > 2)) {
    throw invalid(
      '* GenerateContentRequest.generation_config.temperature: must be between 0 and 2\n',
    );
  }
  const stops = field(config, 'stopSequences');
  if (Array.isArray(stops) && stops.length > 5) {
    throw invalid(
      '* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed\n',
    );
  }
  const mime = field(config, 'responseMimeType');
  if (
    mime !== undefined &&
    !['text/plain', 'application/json', 'text/x.enum'].includes(mime as string)
  ) {
    throw invalid(
      `* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are \`text/plain\`, \`application/json\`, \`text/x.enum\`.\n`,
    );
  }
  const schema = field(config, 'responseSchema');
  if (schema !== undefined) {
    if (mime !== 'application/json' && mime !== 'text/x.enum') {
      throw invalid(
        '* GenerateContentRequest.generation_config.response_schema: a response schema is only supported with response_mime_type application/json or text/x.enum\n',
      );
    }
    checkSchema(schema, 'generation_config.response_schema');
  }
}
