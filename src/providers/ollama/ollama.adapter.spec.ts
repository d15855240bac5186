import { ollamaProfile } from './ollama.adapter.js';

const settings = {
  enabled: true,
  baseUrl: 'http://localhost:11434/',
  models: ['llama3.2', 'ollama/qwen2.5'],
  capabilities: {},
  resilience: undefined,
};

describe('Ollama profile', () => {
  it("calls the server's OpenAI-compatible /v1 endpoint without a credential", () => {
    const profile = ollamaProfile(settings);
    expect(profile.baseUrl).toBe('http://localhost:11434/v1');
    expect(profile.headers).toEqual({});
  });

  it('refuses both json modes by default, as the seed says, unless the operator enables them', () => {
    expect(ollamaProfile(settings).capabilities('llama3.2')).toMatchObject({
      jsonObject: 'none',
      jsonSchema: 'none',
      tools: false,
      maxContextTokens: 32_000,
    });
    const tuned = ollamaProfile({ ...settings, capabilities: { tools: true, jsonObject: true } });
    expect(tuned.capabilities('llama3.2')).toMatchObject({ tools: true, jsonObject: 'native' });
  });

  it('lists pulled models as ollama/<name>', () => {
    expect(
      ollamaProfile(settings)
        .listModels()
        .map((m) => m.id),
    ).toEqual(['ollama/llama3.2', 'ollama/qwen2.5']);
  });
});
