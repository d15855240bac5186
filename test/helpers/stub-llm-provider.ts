import { EMPTY, type Observable } from 'rxjs';
import { LlmProvider } from '../../src/providers/llm-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  EmbeddingResult,
  ModelDescriptor,
  ProviderCapabilities,
} from '../../src/providers/llm-provider.types.js';

/**
 * A provider that is only an id and a capability row, for unit tests of what dispatches to
 * providers (the registry, the route planner); it never answers a call.
 */
export class StubLlmProvider extends LlmProvider {
  private readonly row: ProviderCapabilities;

  constructor(
    readonly id: string,
    capabilities: Partial<ProviderCapabilities> = {},
  ) {
    super();
    this.row = {
      streaming: true,
      vision: false,
      tools: false,
      jsonSchema: 'none',
      jsonObject: 'none',
      embeddings: false,
      maxContextTokens: 1,
      ...capabilities,
    };
  }

  capabilities(): ProviderCapabilities {
    return { ...this.row };
  }
  chat$(): Observable<ChatCompletionChunk> {
    return EMPTY;
  }
  complete(): Promise<ChatCompletion> {
    return Promise.reject(new Error('unused'));
  }
  embed(): Promise<EmbeddingResult> {
    return Promise.reject(new Error('unused'));
  }
  listModels(): ModelDescriptor[] {
    return [];
  }
}
