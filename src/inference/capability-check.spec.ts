import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type {
  ChatCompletionRequest,
  ProviderCapabilities,
} from '../providers/llm-provider.types.js';
import { assertCapabilities, capabilityGaps } from './capability-check.js';

describe(capabilityGaps.name, () => {
  const able: ProviderCapabilities = {
    streaming: true,
    vision: true,
    tools: true,
    jsonSchema: 'native',
    jsonObject: 'native',
    embeddings: false,
    maxContextTokens: 1000,
  };
  const none: ProviderCapabilities = {
    streaming: false,
    vision: false,
    tools: false,
    jsonSchema: 'none',
    jsonObject: 'none',
    embeddings: false,
    maxContextTokens: 10,
  };
  const weather = { type: 'function' as const, function: { name: 'weather' } };
  const demanding: ChatCompletionRequest = {
    model: 'm',
    stream: true,
    messages: [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
    ],
    tools: [weather],
    response_format: { type: 'json_object' },
  };

  it('reports every gap at once, streaming tool calls included, and none for a capable target', () => {
    expect(capabilityGaps(demanding, able)).toEqual([]);
    expect(capabilityGaps(demanding, none).map((g) => [g.param, g.what])).toEqual([
      ['stream', 'streaming'],
      ['messages[0].content', 'image inputs'],
      ['tools', 'streaming tool calls'],
      ['response_format', "response_format 'json_object'"],
    ]);
  });

  it('counts the context window only when given the prompt size', () => {
    const plain: ChatCompletionRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    };
    expect(capabilityGaps(plain, none)).toEqual([]);
    expect(capabilityGaps(plain, none, 11)).toEqual([
      expect.objectContaining({ what: 'a context window of about 11 tokens (has 10)' }),
    ]);
    expect(capabilityGaps(plain, none, 10)).toEqual([]);
  });

  it('lets a lone target refuse precisely, naming the first field at fault', () => {
    const refuse = (request: ChatCompletionRequest) => {
      try {
        assertCapabilities(request, none, 'p');
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    };
    const tools = refuse({ ...demanding, stream: false, messages: [], response_format: undefined });
    expect(tools).toMatchObject({ code: ErrorCode.UnsupportedCapability, param: 'tools' });
    expect(tools.message).toBe("Provider 'p' does not support tool calls.");
    const format = refuse({ model: 'm', messages: [], response_format: { type: 'json_object' } });
    expect(format.code).toBe(ErrorCode.UnsupportedResponseFormat);
    expect(refuse({ model: 'm', messages: [], n: 2 }).param).toBe('n');
  });
});
