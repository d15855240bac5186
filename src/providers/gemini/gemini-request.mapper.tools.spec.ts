import { checkGenerateRequest } from '../../../test/fakes/fake-gemini.requests.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest, ChatMessage, FunctionTool } from '../llm-provider.types.js';
import { type InlinedImages, toGeminiChatBody } from './gemini-request.mapper.js';

const none: InlinedImages = new Map();

function request(
  messages: ChatMessage[],
  extra: Partial<ChatCompletionRequest> = {},
): ChatCompletionRequest {
  return { model: 'gemini-2.0-flash', messages, ...extra };
}

function refusal(body: () => unknown): GatewayError {
  try {
    body();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

/** The strict fake judges the body as Gemini would. */
function expectGeminiAccepts(body: unknown) {
  const checked = checkGenerateRequest(body, new Set());
  if (!checked.ok) throw new Error(`the fake refused the body: ${checked.error.error.message}`);
}

const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** Tools as `functionDeclarations`, `tool_choice` as `toolConfig`, and what cannot be mapped. */
describe(`${toGeminiChatBody.name} tools`, () => {
  const hi: ChatMessage[] = [{ role: 'user', content: 'Hi' }];

  it.each([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [
      { type: 'function', function: { name: 'get_weather' } },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    ],
  ] as const)('maps tool_choice %j to toolConfig', (choice, toolConfig) => {
    const body = toGeminiChatBody(request(hi, { tools: [weather], tool_choice: choice }), none);
    expect(body.toolConfig).toEqual(toolConfig);
    expectGeminiAccepts(body);
  });

  it('declares a tool without arguments without parameters', () => {
    const body = toGeminiChatBody(
      request(hi, {
        tools: [
          {
            type: 'function',
            function: { name: 'now', parameters: { type: 'object', properties: {} } },
          },
        ],
      }),
      none,
    );
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'now' }] }]);
    expectGeminiAccepts(body);
  });

  it('leaves tool_choice none or auto out when there are no tools', () => {
    expect(toGeminiChatBody(request(hi, { tool_choice: 'none' }), none)).not.toHaveProperty(
      'toolConfig',
    );
  });

  it.each([
    [
      'parameters Gemini cannot express',
      {
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              parameters: {
                type: 'object',
                properties: { m: { type: 'object', additionalProperties: { type: 'string' } } },
              },
            },
          },
        ],
      },
      ErrorCode.UnsupportedCapability,
      'tools[0].function.parameters',
      "cannot express the parameters of tool 'f'",
    ],
    [
      'parameters that are not an object',
      { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] },
      ErrorCode.UnsupportedCapability,
      'tools[0].function.parameters',
      'object schema',
    ],
    [
      'parallel_tool_calls: false',
      { tools: [weather], parallel_tool_calls: false },
      ErrorCode.UnsupportedCapability,
      'parallel_tool_calls',
      'parallel_tool_calls',
    ],
    [
      'a named tool_choice that is not among the tools',
      { tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } },
      ErrorCode.InvalidRequest,
      'tool_choice',
      "'nope'",
    ],
    [
      'tool_choice required without tools',
      { tool_choice: 'required' },
      ErrorCode.InvalidRequest,
      'tool_choice',
      'needs tools',
    ],
  ] as const)('refuses %s', (_name, extra, code, param, message) => {
    const error = refusal(() =>
      toGeminiChatBody(request(hi, extra as Partial<ChatCompletionRequest>), none),
    );
    expect(error.code).toBe(code);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
    expect(error.provider).toBe('gemini');
  });
});
