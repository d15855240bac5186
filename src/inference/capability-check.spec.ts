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

  describe('the optional fields of contract 4.2 (the parameter map)', () => {
    const plain: ChatCompletionRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    };
    const refusal = (request: ChatCompletionRequest, caps: ProviderCapabilities) => {
      try {
        assertCapabilities(request, caps, 'acme', 'acme-large');
      } catch (error) {
        return error as GatewayError;
      }
      throw new Error('expected a refusal');
    };

    it.each([
      ['reasoning_effort', 'high'],
      ['verbosity', 'low'],
      ['service_tier', 'flex'],
      ['store', true],
      ['prediction', { type: 'content', content: 'x' }],
      ['modalities', ['text', 'audio']],
      ['audio', { format: 'mp3', voice: 'alloy' }],
      ['web_search_options', {}],
      ['logprobs', true],
      ['logit_bias', { '1': 2 }],
      ['n', 3],
      ['prompt_cache_key', 'k'],
      ['safety_identifier', 's'],
    ])('refuses %s where the map lacks it, naming field, provider and model', (field, value) => {
      const error = refusal({ ...plain, [field]: value }, able);
      expect(error).toMatchObject({
        code: ErrorCode.UnsupportedCapability,
        param: field,
        provider: 'acme',
      });
      expect(error.message).toBe(
        `Provider 'acme' does not support '${field}' on model 'acme-large'.`,
      );
      expect(() =>
        assertCapabilities(
          { ...plain, [field]: value },
          { ...able, fields: { [field]: { how: 'forward' } } },
          'acme',
        ),
      ).not.toThrow();
    });

    it('lets the defaults through anywhere: n 1, logprobs false, store false', () => {
      expect(capabilityGaps({ ...plain, n: 1, logprobs: false, store: false }, able)).toEqual([]);
    });

    it('refuses a value outside the values a target takes, and names the ones it does', () => {
      const caps = {
        ...able,
        fields: { reasoning_effort: { how: 'forward' as const, values: ['low', 'high'] } },
      };
      expect(capabilityGaps({ ...plain, reasoning_effort: 'high' }, caps)).toEqual([]);
      expect(refusal({ ...plain, reasoning_effort: 'medium' }, caps).message).toBe(
        "Provider 'acme' does not support reasoning_effort 'medium' (only low, high) on model 'acme-large'.",
      );
    });

    it('refuses a field a target honours only on JSON answers when the caller streams', () => {
      const caps = { ...able, fields: { n: { how: 'mapped' as const, stream: false as const } } };
      expect(capabilityGaps({ ...plain, n: 2 }, caps)).toEqual([]);
      expect(refusal({ ...plain, n: 2, stream: true }, caps)).toMatchObject({
        param: 'n',
        message: "Provider 'acme' does not support 'n' with stream: true on model 'acme-large'.",
      });
    });

    it('lets a route skip a target that lacks a field (a gap, like any other)', () => {
      expect(
        capabilityGaps({ ...plain, logprobs: true, top_logprobs: 2 }, able).map((g) => g.param),
      ).toEqual(['logprobs', 'top_logprobs']);
    });
  });
});
