import { azureOpenAiProfile } from './azure-openai.adapter.js';

const settings = (baseUrl: string) => ({
  apiKey: 'azure-key',
  baseUrl,
  apiVersion: '2024-10-21',
  deployments: ['gpt4o-prod', 'azure/embed-small'],
  resilience: undefined,
});

describe('Azure OpenAI profile', () => {
  it('puts the deployment in the path under a resource URL, with api-version and api-key', () => {
    const profile = azureOpenAiProfile(settings('https://res.openai.azure.com/openai'));
    expect(profile.chatPath?.('gpt4o-prod')).toBe('/deployments/gpt4o-prod/chat/completions');
    expect(profile.embeddingsPath?.('embed small')).toBe('/deployments/embed%20small/embeddings');
    expect(profile.query).toEqual({ 'api-version': '2024-10-21' });
    expect(profile.headers).toEqual({ 'api-key': 'azure-key' });
    expect(profile.headers).not.toHaveProperty('authorization');
    expect(profile.secrets).toEqual(['azure-key']);
  });

  it("uses a deployment URL as given (the seeds' style) and the v1 API without a deployment", () => {
    const deployment = azureOpenAiProfile(
      settings('https://res.openai.azure.com/openai/deployments/my-deployment'),
    );
    expect(deployment.chatPath?.('anything')).toBe('/chat/completions');
    const v1 = azureOpenAiProfile(settings('https://res.openai.azure.com/openai/v1/'));
    expect(v1.chatPath?.('gpt4o-prod')).toBe('/chat/completions');
  });

  it('reaches the Responses API under a resource or v1 URL, not under one deployment', () => {
    const resource = azureOpenAiProfile(settings('https://res.openai.azure.com/openai'));
    expect(resource.responsesPath).toBe('/responses');
    const v1 = azureOpenAiProfile(settings('https://res.openai.azure.com/openai/v1'));
    expect(v1.responsesPath).toBe('/responses');
    const deployment = azureOpenAiProfile(
      settings('https://res.openai.azure.com/openai/deployments/my-deployment'),
    );
    expect(deployment.responsesPath).toBeUndefined();
  });

  it('lists deployments as azure/<deployment>', () => {
    const profile = azureOpenAiProfile(settings('https://res.openai.azure.com/openai'));
    expect(profile.listModels().map((m) => m.id)).toEqual([
      'azure/gpt4o-prod',
      'azure/embed-small',
    ]);
  });
});
