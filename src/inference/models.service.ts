import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';

/** One model of GET /v1/models: OpenAI's Model plus the capabilities of contract 4.1. */
export interface ModelCard {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  capabilities: {
    supports_streaming: boolean;
    supports_vision: boolean;
    supports_tool_calls: boolean;
    supports_structured_outputs: boolean;
    supports_json_mode: boolean;
    max_context_tokens: number;
  };
}

/** GET /v1/models: every model the registered providers serve. */
@Injectable()
export class ModelsService {
  /** Models have no creation date of their own here; the gateway's start stands in. */
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly registry: ProviderRegistry) {}

  list(): { object: 'list'; data: ModelCard[] } {
    const data = this.registry.providers.flatMap((provider) =>
      provider.listModels().map((model): ModelCard => {
        const caps = provider.capabilities(model.id);
        return {
          id: model.id,
          object: 'model',
          created: this.created,
          owned_by: model.ownedBy,
          capabilities: {
            supports_streaming: caps.streaming,
            supports_vision: caps.vision,
            supports_tool_calls: caps.tools,
            supports_structured_outputs: caps.jsonSchema !== 'none',
            supports_json_mode: caps.jsonObject !== 'none',
            max_context_tokens: caps.maxContextTokens,
          },
        };
      }),
    );
    return { object: 'list', data };
  }

  get(id: string): ModelCard {
    const card = this.list().data.find((m) => m.id === id);
    if (!card) {
      throw new GatewayError(ErrorCode.ResourceNotFound, `The model '${id}' does not exist.`, {
        param: 'model',
      });
    }
    return card;
  }
}
