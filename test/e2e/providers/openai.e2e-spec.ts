import { OPENAI_DIALECT } from '../../fakes/dialects/openai.dialect.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

/** OpenAI on the shared OpenAI-compatible adapter; its own details are in openai-provider.e2e-spec.ts. */
describeOpenAiCompatibleProvider({
  id: 'openai',
  configPath: 'openai',
  dialect: OPENAI_DIALECT,
  env: (fake) => ({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl }),
  model: 'gpt-4o-mini',
  upstreamModel: 'gpt-4o-mini',
  chatPath: '/v1/chat/completions',
  credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
  capabilities: {
    vision: true,
    tools: true,
    jsonObject: true,
    jsonSchema: true,
    maxContextTokens: 128_000,
  },
  embeddings: {
    model: 'text-embedding-3-small',
    upstreamModel: 'text-embedding-3-small',
    path: '/v1/embeddings',
  },
});
