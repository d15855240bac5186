import OpenAI from 'openai';
import {
  AZURE_API_VERSION,
  AZURE_OPENAI_DIALECT,
} from '../../fakes/dialects/azure-openai.dialect.js';
import { FakeOpenAiCompatibleServer } from '../../fakes/fake-openai-compatible.server.js';
import { type GatewayUnderTest, issueKey, startGateway } from '../../helpers/gateway-harness.js';

/**
 * The Responses ingress to Azure OpenAI deployments: passed through to the resource's Responses
 * API (`/openai/responses?api-version=...`, the deployment as `model`, the `api-key` header).
 */
describe('Responses ingress passthrough to Azure OpenAI', () => {
  const fake = new FakeOpenAiCompatibleServer(AZURE_OPENAI_DIALECT);
  let gw: GatewayUnderTest;
  let client: OpenAI;

  beforeAll(async () => {
    await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { AZURE_OPENAI_API_KEY: fake.apiKey, AZURE_OPENAI_BASE_URL: fake.baseUrl },
      yaml: `
gateway:
  pii: { scan-responses: false }
  providers:
    azure-openai:
      deployments: [gpt4o-prod]
`,
    });
    const key = await issueKey(gw);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  it('forwards the body to the resource’s Responses API with the deployment as model', async () => {
    const response = await client.responses.create({
      model: 'azure/gpt4o-prod',
      input: 'Hi',
      store: true,
    });
    expect(response.object).toBe('response');
    const received = fake.requests.at(-1)!;
    const url = new URL(received.path, 'http://x');
    expect(url.pathname).toBe('/openai/responses');
    expect(url.searchParams.get('api-version')).toBe(AZURE_API_VERSION);
    expect(received.headers['api-key']).toBe(fake.apiKey);
    expect(received.headers.authorization).toBeUndefined();
    expect(received.body).toEqual({ model: 'gpt4o-prod', input: 'Hi', store: true, stream: false });
  });
});
