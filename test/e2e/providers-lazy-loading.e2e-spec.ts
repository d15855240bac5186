import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_REGION,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FakeBedrockServer,
} from '../fakes/fake-bedrock.server.js';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';

const TRACE_HOOK = resolve('test/helpers/module-trace.hook.mjs');

/** Every built-in vendor folder but the mock's, and the shared OpenAI-compatible base. */
const OTHER_VENDORS = [
  'openai',
  'azure-openai',
  'anthropic',
  'gemini',
  'bedrock',
  'mistral',
  'cohere',
  'groq',
  'qwen',
  'deepseek',
  'moonshot',
  'chatglm',
  'grok',
  'ollama',
  'custom',
];

/** The vendor adapter and module files among the loaded URLs, as `<folder>/<file>`. */
const vendorFiles = (urls: readonly string[]) =>
  urls
    .map((url) => /\/dist\/providers\/([\w-]+)\/([\w.-]+\.(?:adapter|module)\.js)$/.exec(url))
    .filter((match) => match !== null)
    .map((match) => `${match[1]}/${match[2]}`);

const loadedFrom = (urls: readonly string[], pkg: string) =>
  urls.some((url) => url.includes(`/node_modules/${pkg}/`));

/**
 * Contract 5 ("a provider registers only when activated"), down to what a real gateway process
 * loads: a `--import` hook records every module URL the process loads, so the suite sees that an
 * inactive vendor's adapter, and the AWS SDK behind Bedrock, never enter memory.
 */
describe('provider modules load only when their provider is active', () => {
  let dir: string;
  let gw: GatewayProcess | undefined;
  const bedrock = new FakeBedrockServer();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-lazy-'));
    await bedrock.start();
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });
  afterAll(async () => {
    await bedrock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a replica with the trace hook, makes one call to `model`, returns the loaded URLs. */
  const traced = async (name: string, env: Record<string, string>, model: string) => {
    const trace = join(dir, `${name}.txt`);
    gw = await spawnGateway({
      ...env,
      NODE_OPTIONS: `--import=${TRACE_HOOK}`,
      MODULE_TRACE_FILE: trace,
    });
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(response.status).toBe(200);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  };

  it('with only the mock active, loads no other vendor adapter and not the AWS SDK', async () => {
    const urls = await traced('mock', { MOCK_PROVIDER_ENABLED: 'true' }, 'mock/default');

    // The hook sees the gateway's own files: the mock's adapter is among them.
    expect(vendorFiles(urls)).toEqual(
      expect.arrayContaining(['mock/mock.adapter.js', 'mock/mock.module.js']),
    );
    const others = vendorFiles(urls).filter((file) =>
      OTHER_VENDORS.some((vendor) => file.startsWith(`${vendor}/`)),
    );
    expect(others).toEqual([]);
    expect(urls.some((url) => /\/openai-compatible\.(adapter|module)\.js$/.test(url))).toBe(false);
    expect(loadedFrom(urls, '@aws-sdk')).toBe(false);
    expect(loadedFrom(urls, '@smithy')).toBe(false);
  });

  it('with Bedrock active, loads its adapter and the AWS SDK, and still no other vendor', async () => {
    const urls = await traced(
      'bedrock',
      {
        BEDROCK_ENABLED: 'true',
        AWS_ACCESS_KEY_ID: FAKE_AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET_ACCESS_KEY,
        AWS_REGION: FAKE_AWS_REGION,
        BEDROCK_ENDPOINT: bedrock.endpoint,
      },
      'bedrock/anthropic.claude-3-sonnet-20240229-v1:0',
    );

    expect(vendorFiles(urls)).toEqual(
      expect.arrayContaining(['bedrock/bedrock.adapter.js', 'bedrock/bedrock.module.js']),
    );
    expect(loadedFrom(urls, '@aws-sdk/client-bedrock-runtime')).toBe(true);
    const others = vendorFiles(urls).filter((file) =>
      OTHER_VENDORS.some((vendor) => vendor !== 'bedrock' && file.startsWith(`${vendor}/`)),
    );
    expect(others).toEqual([]);
  });
});
