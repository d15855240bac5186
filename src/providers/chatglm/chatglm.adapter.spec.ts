import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { fitZhipuLimits, zhipuFinishReason } from './chatglm.adapter.js';

const base: ChatCompletionRequest = { model: 'glm-4-plus', messages: [] };
const tools = [{ type: 'function' as const, function: { name: 'f' } }];

function refusal(fn: () => void): GatewayError {
  try {
    fn();
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('ChatGLM request limits', () => {
  it('sends a one-element stop list as a single string', () => {
    const body: Record<string, unknown> = { stop: ['END'] };
    fitZhipuLimits(body, { ...base, stop: ['END'] });
    expect(body.stop).toBe('END');
  });

  it('refuses several stop sequences, naming the field', () => {
    const error = refusal(() =>
      fitZhipuLimits({ stop: ['a', 'b'] }, { ...base, stop: ['a', 'b'] }),
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(error.param).toBe('stop');
  });

  it("honours tool_choice 'none' by not sending the tools, and refuses a forced choice", () => {
    const body: Record<string, unknown> = { tools, tool_choice: 'none' };
    fitZhipuLimits(body, { ...base, tools, tool_choice: 'none' });
    expect(body).toEqual({});

    const error = refusal(() =>
      fitZhipuLimits(
        { tools, tool_choice: 'required' },
        { ...base, tools, tool_choice: 'required' },
      ),
    );
    expect(error.param).toBe('tool_choice');
    const auto: Record<string, unknown> = { tools, tool_choice: 'auto' };
    fitZhipuLimits(auto, { ...base, tools, tool_choice: 'auto' });
    expect(auto.tool_choice).toBe('auto');
  });

  it("maps GLM's sensitive finish to content_filter", () => {
    expect(zhipuFinishReason('sensitive')).toBe('content_filter');
    expect(zhipuFinishReason('network_error')).toBeUndefined();
  });
});
