import { createServer } from 'node:net';
import type OpenAI from 'openai';
import type {
  FakeDialect,
  FakeOpenAiCompatibleServer,
} from '../../fakes/fake-openai-compatible.server.js';
import { type GatewayUnderTest, postRaw } from '../../helpers/gateway-harness.js';

/**
 * One OpenAI-compatible provider, described for {@link describeOpenAiCompatibleProvider}: how the
 * gateway is pointed at the vendor's fake, what the fake must see, and the vendor's row of the
 * contract's capability matrix.
 */
export interface CompatibleProviderCase {
  /** The provider id (`X-Gateway-Provider`). */
  readonly id: string;
  /** Its key under `gateway.providers` (`azure-openai`, or `custom.<name>`). */
  readonly configPath: string;
  readonly dialect: FakeDialect;
  /** Activation env vars, given the started fake. */
  env(fake: FakeOpenAiCompatibleServer): Record<string, string>;
  /** Extra YAML lines under `gateway:` (routes), indented for that level. */
  readonly gatewayYaml?: string[];
  /** Extra YAML lines under `gateway.providers.<configPath>` (already indented for that level). */
  readonly providerYaml?: (fake: FakeOpenAiCompatibleServer) => string[];
  /** What the caller sends as `model`, and what the upstream must receive (body or path). */
  readonly model: string;
  readonly upstreamModel: string;
  /** The chat path the fake must see (without the query). */
  readonly chatPath: string;
  /** The credential header the fake must see, or `undefined` for none. */
  readonly credential: ((fake: FakeOpenAiCompatibleServer) => [string, string]) | undefined;
  readonly capabilities: {
    readonly vision: boolean;
    readonly tools: boolean;
    readonly jsonObject: boolean;
    readonly jsonSchema: boolean;
    readonly maxContextTokens: number;
  };
  /** Where the upstream receives the model when not in the body (Azure's deployment path). */
  readonly modelInPath?: boolean;
  readonly embeddings?: {
    readonly model: string;
    readonly upstreamModel: string;
    readonly path: string;
  };
}

/** What a vendor's own tests get, once the suite's gateway and fake are up. */
export interface CompatibleProviderContext {
  readonly gw: GatewayUnderTest;
  readonly fake: FakeOpenAiCompatibleServer;
  readonly client: OpenAI;
  readonly chatUrl: string;
}

export const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** YAML for the suite's gateway: short timeouts, no retries and no breaker (each test sees one call). */
export function compatibleGatewayYaml(
  item: CompatibleProviderCase,
  fake: FakeOpenAiCompatibleServer,
): string {
  const path = item.configPath.split('.');
  const indent = (depth: number) => '  '.repeat(depth);
  const lines = [
    'gateway:',
    '  upstream:',
    '    request-timeout-ms: 1500',
    '    stream-idle-timeout-ms: 1500',
    '  providers:',
  ];
  path.forEach((segment, i) => lines.push(`${indent(i + 2)}${segment}:`));
  const depth = path.length + 2;
  for (const line of item.providerYaml?.(fake) ?? []) lines.push(`${indent(depth)}${line}`);
  lines.push(
    `${indent(depth)}resilience:`,
    `${indent(depth + 1)}retry: { max-attempts: 1 }`,
    `${indent(depth + 1)}circuit-breaker: { enabled: false }`,
  );
  for (const line of item.gatewayYaml ?? []) lines.push(`  ${line}`);
  return lines.join('\n');
}

/**
 * The behaviour every OpenAI-compatible provider owes its callers (issue 3), end to end: the
 * official `openai` SDK as the client, the gateway in the middle, the vendor's fake as upstream.
 * `quirks` adds the vendor's own tests in the same describe, with the same gateway and fake.

/** The suite's one-message request for a provider. */
export function helloFor(item: CompatibleProviderCase) {
  return { model: item.model, messages: [{ role: 'user' as const, content: 'Hello' }] };
}

/** A raw streaming call, for tests that read the SSE bytes themselves. */
export function streamRequestFor(
  context: CompatibleProviderContext,
  item: CompatibleProviderCase,
  extra: object = {},
): Promise<Response> {
  return postRaw(context.chatUrl, { ...helloFor(item), stream: true, ...extra });
}
