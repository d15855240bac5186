import type { Type } from '@nestjs/common';
import type { LlmProvider } from '../llm-provider.js';
import type { ProviderBinding } from '../provider-definition.js';

/**
 * The binding of an OpenAI-compatible vendor whose adapter class is injectable, for its
 * definition's `load()`: the module is imported here, when the vendor is active, not at start-up.
 */
export async function compatibleBinding(
  adapter: () => Promise<Type<LlmProvider>>,
): Promise<ProviderBinding> {
  const { OpenAiCompatibleModule } = await import('./openai-compatible.module.js');
  const type = await adapter();
  return { module: OpenAiCompatibleModule.forAdapter(type), adapter: type };
}
