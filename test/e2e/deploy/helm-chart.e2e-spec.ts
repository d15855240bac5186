import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadGatewayConfig } from '../../../src/config/config.loader.js';
import { spawnGateway } from '../../helpers/gateway-process.js';
import {
  CHART,
  helm,
  helmPath,
  helmWithValues,
  type Manifest,
  only,
  renderChart,
} from '../../helpers/helm-chart.js';
import { unknownFields, validateManifest } from '../../helpers/kubernetes-schemas.js';

/**
 * The Helm chart (contract 14) with a real helm 4 (scripts/fetch-helm.mjs): lint, rendering with
 * defaults and with every optional part on, the schema's refusals, secrets by reference only,
 * every manifest against the Kubernetes API schemas, and the rendered configuration as the
 * gateway's own loader reads it.
 */
const ALL_ON = resolve(CHART, 'ci/all-on-values.yaml');
const SECRET_VARIABLES = [
  'GATEWAY_ADMIN_TOKEN',
  'GATEWAY_AUDIT_HMAC_SECRET',
  'GATEWAY_AUDIT_SIGNING_KEY',
  'GATEWAY_ENCRYPTION_KEY',
  'GATEWAY_DATABASE_URL',
  'GATEWAY_REDIS_URL',
  'GATEWAY_METRICS_TOKEN',
];
const PROVIDER_VARIABLES = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'FIREWORKS_API_KEY'];

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
};

const container = (deployment: Manifest) => deployment.spec.template.spec.containers[0];
const envOf = (deployment: Manifest): EnvVar[] => container(deployment).env;
const plainEnv = (deployment: Manifest): Record<string, string> =>
  Object.fromEntries(
    envOf(deployment)
      .filter((e) => e.value !== undefined)
      .map((e) => [e.name, e.value!]),
  );
const mounts = (deployment: Manifest): Record<string, string> =>
  Object.fromEntries(
    container(deployment).volumeMounts.map((m: { name: string; mountPath: string }) => [
      m.mountPath,
      m.name,
    ]),
  );
const volume = (deployment: Manifest, name: string) =>
  deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === name);

beforeAll(() => {
  helmPath();
}, 180_000);

describe('helm lint', () => {
  it.each([
    ['default values', []],
    ['every optional part on', [ALL_ON]],
  ])('passes --strict with %s', (_, files) => {
    const run = helm(['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f])]);
    expect({ status: run.status, out: run.stdout + run.stderr }).toMatchObject({ status: 0 });
    expect(run.stdout).toContain('0 chart(s) failed');
    expect(run.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('declares the gateway version as appVersion', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(chart.apiVersion).toBe('v2');
    expect(chart.appVersion).toBe(pkg.version);
  });
});

describe('helm template with default values', () => {
  const { manifests } = renderChart();
  const deployment = only(manifests, 'Deployment');

  it('renders the Deployment, Service, ConfigMap, ServiceAccount and PDB only', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    for (const m of manifests) expect(m.metadata.namespace).toBe('llm');
  });

  it('probes /health/live at start-up and for liveness, /health/ready for readiness', () => {
    const c = container(deployment);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    const service = only(manifests, 'Service');
    expect(service.spec.ports[0]).toMatchObject({ name: 'http', targetPort: 'http' });
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  it('runs the image as a non-root user on a read-only root filesystem', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container(deployment).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container(deployment).image).toBe('llm-gateway:0.1.0');
  });

  it('gives /tmp and the SQLite folder an emptyDir when there is no database URL', () => {
    expect(mounts(deployment)).toMatchObject({ '/tmp': 'tmp', '/app/data': 'data' });
    expect(volume(deployment, 'tmp')).toEqual({ name: 'tmp', emptyDir: {} });
    expect(volume(deployment, 'data')).toEqual({ name: 'data', emptyDir: {} });
  });

  it('mounts the ConfigMap beside the image config, as an additional layer', () => {
    const env = plainEnv(deployment);
    expect(env).toMatchObject({ GATEWAY_PROFILE: 'production', PORT: '8080', HOST: '0.0.0.0' });
    expect(env.GATEWAY_CONFIG_ADDITIONAL_LOCATION).toBe('/etc/llm-gateway/config/application.yml');
    expect(mounts(deployment)['/etc/llm-gateway/config']).toBe('config');
    expect(Object.values(mounts(deployment))).not.toContain('/app/config');
    expect(volume(deployment, 'config').configMap.name).toBe(
      only(manifests, 'ConfigMap').metadata.name,
    );
  });

  it('waits longer than the pre-stop pause plus the shutdown grace before killing', () => {
    const grace = Number(plainEnv(deployment).GATEWAY_SHUTDOWN_GRACE_MS) / 1000;
    const preStop = Number(container(deployment).lifecycle.preStop.exec.command[1]);
    expect(grace).toBe(30);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
      grace + preStop,
    );
  });

  it('sets resources and spreads replicas over zones and nodes', () => {
    expect(container(deployment).resources.requests).toEqual({ cpu: '250m', memory: '256Mi' });
    expect(container(deployment).resources.limits.memory).toBe('1Gi');
    const spread = deployment.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    for (const c of spread) {
      expect(c.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    }
  });

  it('sets no secret variable at all', () => {
    const names = envOf(deployment).map((e) => e.name);
    for (const name of SECRET_VARIABLES) expect(names).not.toContain(name);
  });
});

describe('helm template with every optional part on', () => {
  const { manifests, text } = renderChart({}, [ALL_ON]);
  const deployment = only(manifests, 'Deployment');

  it('adds the HPA, ServiceMonitor and Ingress, and lets the HPA own the replica count', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = only(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 12,
      scaleTargetRef: { kind: 'Deployment', name: deployment.metadata.name },
    });
    expect(only(manifests, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 2 });
    expect(only(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBeUndefined();
  });

  it('fills every secret variable from a Secret reference', () => {
    const env = envOf(deployment);
    for (const name of [...SECRET_VARIABLES, ...PROVIDER_VARIABLES]) {
      const entry = env.find((e) => e.name === name);
      expect({ name, value: entry?.value }).toEqual({ name, value: undefined });
      expect(entry?.valueFrom?.secretKeyRef?.name).toMatch(/^llm-gateway/);
    }
    expect(env.find((e) => e.name === 'GATEWAY_DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'llm-gateway-postgres',
      key: 'url',
    });
    expect(env.find((e) => e.name === 'OPENAI_API_KEY')?.valueFrom?.secretKeyRef).toEqual({
      name: 'llm-gateway-providers',
      key: 'openai-api-key',
    });
  });

  it('renders no Secret and no inline credential', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    for (const e of envOf(deployment)) {
      if (e.value !== undefined) expect(e.name).not.toMatch(/KEY|SECRET|TOKEN|PASSWORD|_URL$/);
    }
    // A custom provider's key is only a reference in the configuration layer.
    expect(text).toContain('api-key: ${FIREWORKS_API_KEY:}');
  });

  it('keeps the SQLite folder out when PostgreSQL is configured', () => {
    expect(volume(deployment, 'data')).toBeUndefined();
    expect(mounts(deployment)['/app/data']).toBeUndefined();
    expect(mounts(deployment)['/tmp']).toBe('tmp');
  });

  it('mounts the bootstrap file from its Secret', () => {
    expect(plainEnv(deployment).GATEWAY_BOOTSTRAP_FILE).toBe(
      '/etc/llm-gateway/bootstrap/bootstrap.yml',
    );
    expect(volume(deployment, 'bootstrap').secret).toEqual({
      secretName: 'llm-gateway-bootstrap',
      items: [{ key: 'bootstrap.yml', path: 'bootstrap.yml' }],
    });
  });

  it('scrapes /metrics on the http port with the bearer token from its Secret', () => {
    const monitor = only(manifests, 'ServiceMonitor');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.selector.matchLabels).toEqual(only(manifests, 'Service').spec.selector);
    expect(monitor.spec.endpoints).toEqual([
      {
        port: 'http',
        path: '/metrics',
        interval: '30s',
        scrapeTimeout: '10s',
        authorization: {
          type: 'Bearer',
          credentials: { name: 'llm-gateway', key: 'metrics-token' },
        },
      },
    ]);
  });

  it('routes the Ingress to the http port with TLS', () => {
    const ingress = only(manifests, 'Ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([
      { secretName: 'llm-gateway-tls', hosts: ['llm.example.com'] },
    ]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: only(manifests, 'Service').metadata.name,
      port: { name: 'http' },
    });
  });

  it('rolls the pods when the configuration changes', () => {
    const before = deployment.spec.template.metadata.annotations['checksum/config'];
    const after = only(
      renderChart({ config: { pii: { 'default-action': 'BLOCK' } } }, [ALL_ON]).manifests,
      'Deployment',
    ).spec.template.metadata.annotations['checksum/config'];
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });

  it('is read by the gateway as written: layers, policies, prices, port and grace', () => {
    const configMap = only(manifests, 'ConfigMap');
    const dir = mkdtempSync(join(tmpdir(), 'chart-config-'));
    try {
      const mountPath = Object.entries(mounts(deployment)).find(([, n]) => n === 'config')![0];
      for (const [file, content] of Object.entries(configMap.data as Record<string, string>)) {
        writeFileSync(join(dir, file), content);
      }
      const env = plainEnv(deployment);
      const layers = env.GATEWAY_CONFIG_ADDITIONAL_LOCATION.split(',');
      expect(layers.map((l) => posix.basename(l))).toEqual([
        'application.yml',
        'policies.yml',
        'pricing.yml',
      ]);
      const config = loadGatewayConfig({
        configDir: resolve('config'),
        env: {
          ...env,
          GATEWAY_CONFIG_ADDITIONAL_LOCATION: layers
            .map((l) => join(dir, posix.relative(mountPath, l)))
            .join(','),
          // Secret references, filled as Kubernetes would from the Secrets.
          GATEWAY_AUDIT_HMAC_SECRET: 'chart-e2e-audit-secret-0123456789abcdef',
          FIREWORKS_API_KEY: 'fw-test-key',
        },
      });
      expect(config.profiles).toEqual(['production']);
      expect(config.server.port).toBe(container(deployment).ports[0].containerPort);
      expect(config.server.shutdownGraceMs).toBe(30_000);
      expect(config.pii.defaultAction).toBe('REDACT');
      expect(config.rateLimits.perKey.requestsPerMinute).toBe(600);
      expect(config.providers.custom.fireworks.apiKey).toBe('fw-test-key');
      expect(config.policies).toEqual([expect.objectContaining({ id: 'no-preview-models' })]);
      expect(config.pricing).toEqual([
        expect.objectContaining({ provider: 'openai', model: 'gpt-4o-mini*', input: 0.15 }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes API schemas', () => {
  const variants: [string, Record<string, unknown>, string[]][] = [
    ['default values', {}, []],
    ['every optional part on', {}, [ALL_ON]],
    [
      'SQLite on a claim, a LoadBalancer, a percentage PDB, no topology spread',
      {
        sqlite: { existingClaim: 'gateway-data' },
        topologySpreadConstraints: [],
        service: { type: 'LoadBalancer' },
        podDisruptionBudget: { maxUnavailable: '50%' },
      },
      [],
    ],
  ];

  const rendered = variants.map(([name, values, files]) => ({
    name,
    manifests: renderChart(values, files).manifests,
  }));

  it.each(rendered.map((r) => [r.name, r.manifests] as const))(
    'accept every manifest rendered with %s',
    (_, manifests) => {
      expect(manifests.length).toBeGreaterThan(0);
      for (const manifest of manifests) expect(() => validateManifest(manifest)).not.toThrow();
    },
  );

  it('know every field of every rendered manifest', () => {
    expect(unknownFields(rendered.flatMap((r) => r.manifests))).toEqual([]);
  }, 60_000);

  it('refuse a manifest the API would refuse (the checks can fail)', () => {
    const deployment = only(renderChart().manifests, 'Deployment');
    container(deployment).ports[0].containerPort = '8080';
    expect(() => validateManifest(deployment)).toThrow(/containerPort must be integer/);
    expect(() =>
      validateManifest({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }),
    ).toThrow(/no API schema known for v1\/Secret/);

    const typo = only(renderChart().manifests, 'Deployment');
    container(typo).securityContext.readOnlyRootFileSystem = true;
    const problems = unknownFields([typo]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Deployment gw-llm-gateway: .*'"readOnlyRootFileSystem"'/);
  }, 60_000);

  it('hold a Recreate strategy for a ReadWriteOnce SQLite claim', () => {
    const deployment = only(
      renderChart({ sqlite: { existingClaim: 'gateway-data' } }).manifests,
      'Deployment',
    );
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(volume(deployment, 'data').persistentVolumeClaim).toEqual({
      claimName: 'gateway-data',
    });
  });
});

describe('Values the chart refuses', () => {
  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['a replica count that is not a number', { replicaCount: 'two' }, /replicaCount/],
    ['an unknown value', { replicas: 3 }, /additional properties 'replicas'/],
    ['a secret value instead of a reference', { secrets: { adminToken: 's3cret' } }, /adminToken/],
    [
      'a value beside a secret reference',
      { secrets: { adminToken: { existingSecret: 'x', key: 'k', value: 's3cret' } } },
      /additional properties 'value'/,
    ],
    ['a secret as a plain variable', { env: { OPENAI_API_KEY: 'sk-live' } }, /OPENAI_API_KEY/],
    [
      'a chart-managed variable as a plain variable',
      { env: { GATEWAY_DATABASE_URL: 'postgres://u:p@db/gw' } },
      /GATEWAY_DATABASE_URL/,
    ],
    [
      'a chart-managed variable as a secret variable',
      { secretEnv: { GATEWAY_PROFILE: { existingSecret: 'x', key: 'k' } } },
      /GATEWAY_PROFILE/,
    ],
    [
      'a provider key reference without a Secret name',
      { secretEnv: { OPENAI_API_KEY: { existingSecret: '', key: 'k' } } },
      /secretEnv\/OPENAI_API_KEY/,
    ],
    [
      'an inline secret in the configuration layer',
      { config: { admin: { token: 'plain-admin-token' } } },
      /config\/admin\/token/,
    ],
    [
      'an inline provider key in the configuration layer',
      { config: { providers: { openai: { 'api-key': 'sk-live' } } } },
      /config\/providers\/openai\/api-key/,
    ],
    [
      'a dotted key that would hide a secret from the schema',
      { config: { 'admin.token': 'plain-admin-token' } },
      /admin\.token/,
    ],
    ['the port in the configuration layer', { config: { server: { port: 9000 } } }, /port/],
    ['policies inside the configuration layer', { config: { policies: [] } }, /policies/],
    ['a root user', { podSecurityContext: { runAsNonRoot: false } }, /runAsNonRoot/],
    ['a privileged port', { containerPort: 80 }, /containerPort/],
    [
      'a price without output',
      { pricing: [{ provider: 'openai', model: '*', input: 1 }] },
      /output/,
    ],
    ['an unknown image pull policy', { image: { pullPolicy: 'Sometimes' } }, /pullPolicy/],
  ];

  it.each(refused)('refuses %s', (_, values, message) => {
    const run = helmWithValues(['template', 'gw', CHART], values);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("don't meet the specifications of the schema");
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  const failed: [string, Record<string, unknown>, RegExp][] = [
    ['several replicas on SQLite', { replicaCount: 3 }, /several replicas need a shared database/],
    [
      'autoscaling on SQLite',
      { autoscaling: { enabled: true } },
      /several replicas need a shared database/,
    ],
    [
      'fewer maximum than minimum replicas',
      {
        secrets: { databaseUrl: { existingSecret: 'db', key: 'url' } },
        autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 },
      },
      /maxReplicas must be at least/,
    ],
    [
      'a termination grace the shutdown does not fit in',
      { shutdownGraceSeconds: 60, terminationGracePeriodSeconds: 60 },
      /terminationGracePeriodSeconds \(60\) must exceed/,
    ],
  ];

  it.each(failed)('refuses %s', (_, values, message) => {
    const run = helmWithValues(['template', 'gw', CHART], values);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
  });

  it('accepts several replicas once PostgreSQL is configured', () => {
    const deployment = only(
      renderChart({
        replicaCount: 3,
        secrets: { databaseUrl: { existingSecret: 'db', key: 'url' } },
      }).manifests,
      'Deployment',
    );
    expect(deployment.spec.replicas).toBe(3);
  });
});

describe('The gateway started as the chart starts it', () => {
  const ADMIN_TOKEN = 'chart-e2e-admin-token-0123456789abcdef0123';
  const values = {
    config: { pii: { 'default-action': 'REDACT' } },
    env: { MOCK_PROVIDER_ENABLED: 'true' },
    secrets: {
      adminToken: { existingSecret: 'gw', key: 'admin-token' },
      auditHmacSecret: { existingSecret: 'gw', key: 'audit-hmac-secret' },
    },
    policies: [
      {
        id: 'no-preview-models',
        dsl: 'rules:\n  - id: no-preview\n    conditions:\n      model: { denylist: ["*-preview"] }\n',
      },
    ],
    pricing: [{ provider: 'mock', model: 'priced-*', input: 1.5, output: 2 }],
  };

  it('answers its probes and serves the policies and prices of the ConfigMap', async () => {
    const { manifests } = renderChart(values);
    const deployment = only(manifests, 'Deployment');
    const configMap = only(manifests, 'ConfigMap');
    const dir = mkdtempSync(join(tmpdir(), 'chart-boot-'));
    const mountPath = Object.entries(mounts(deployment)).find(([, n]) => n === 'config')![0];
    for (const [file, content] of Object.entries(configMap.data as Record<string, string>)) {
      writeFileSync(join(dir, file), content);
    }
    const env = plainEnv(deployment);
    // Secrets as Kubernetes fills them; the listener and the SQLite file are the test's.
    const secretValues: Record<string, string> = {
      'admin-token': ADMIN_TOKEN,
      'audit-hmac-secret': 'chart-e2e-audit-secret-0123456789abcdef',
    };
    const secrets = Object.fromEntries(
      envOf(deployment)
        .filter((e) => e.valueFrom?.secretKeyRef)
        .map((e) => [e.name, secretValues[e.valueFrom!.secretKeyRef!.key]]),
    );
    const gateway = await spawnGateway({
      ...env,
      ...secrets,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: env.GATEWAY_CONFIG_ADDITIONAL_LOCATION.split(',')
        .map((l) => join(dir, posix.relative(mountPath, l)))
        .join(','),
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    try {
      const c = container(deployment);
      for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
        expect((await fetch(`${gateway.url}${probe.httpGet.path}`)).status).toBe(200);
      }
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const policies = await fetch(`${gateway.url}/v1/admin/policies`, { headers: admin });
      expect(policies.status).toBe(200);
      expect(((await policies.json()) as { data: unknown[] }).data).toEqual([
        expect.objectContaining({ id: 'no-preview-models', read_only: true }),
      ]);
      const price = await fetch(
        `${gateway.url}/v1/admin/pricing?provider=mock&model=priced-model`,
        { headers: admin },
      );
      expect(await price.json()).toMatchObject({ priced: true, input: 1.5, output: 2 });
      // The production profile: calls need a key.
      expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401);
    } finally {
      expect(await gateway.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
