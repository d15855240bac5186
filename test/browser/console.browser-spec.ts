import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { TOKEN } from '../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  startGateway,
} from '../helpers/gateway-harness.js';
import { type ConsolePage, launchChromium, openConsole, screenshot } from './console-browser.js';

/** A tenant name, tag and policy text that would run script if anything rendered them as HTML. */
const XSS = '<img src=x onerror="window.__xss=1">';

/** Polls `check` (a real call each time) until it holds; gives up after `attempts`. */
async function eventually<T>(check: () => Promise<T>, ok: (value: T) => boolean, attempts = 40) {
  let last: T | undefined;
  for (let i = 0; i < attempts; i += 1) {
    last = await check();
    if (ok(last)) return last;
    await sleep(100);
  }
  return last as T;
}

/**
 * The web console (contract 17) in a real headless Chromium against a real gateway (mock
 * provider), every step through the UI: sign-in, charts from calls made here, tenants and keys,
 * policies with inline errors, audit with verification, spend CSV, budgets, session expiry.
 */
describe('Console in Chromium', () => {
  let gw: GatewayUnderTest;
  let browser: Browser;
  let tab: ConsolePage;
  let page: Page;
  let acmeKey: string;
  const chat = (key: string, model = 'mock/echo') =>
    postJson(
      `${gw.url}/v1/chat/completions`,
      { model, messages: [{ role: 'user', content: 'Hello there, console' }] },
      { authorization: `Bearer ${key}` },
    );
  const go = async (label: string) => {
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: label })
      .click();
  };

  beforeAll(async () => {
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      yaml: `
gateway:
  auth: { required: true }
  metering: { flush-interval-ms: 50 }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three four five six seven" }
  pricing:
    - { provider: mock, model: "mock/*", input: 1000, output: 2000 }
`,
    });
    acmeKey = await issueKey(gw, { tenant: 'acme' });
    const betaKey = await issueKey(gw, { tenant: 'beta' });
    for (let i = 0; i < 4; i += 1) expect((await chat(acmeKey)).status).toBe(200);
    expect((await chat(betaKey, 'mock/other')).status).toBe(200);
    // A refusal: counted as an error on the overview.
    expect((await chat('gw_' + '0'.repeat(40))).status).toBe(401);
    browser = await launchChromium();
    tab = await openConsole(browser, gw.url);
    page = tab.page;
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('refuses an empty and a wrong token with a clear message, then signs in', async () => {
    await page.goto(`${gw.url}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter the admin token').waitFor();
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That admin token is not valid').waitFor();
    await screenshot(page, 'sign-in-error', false);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).toBe(`${gw.url}/console/`);
    expect(page.url()).not.toContain(TOKEN);
    const stored = await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.keys(localStorage).length,
      cookies: document.cookie,
    }));
    expect(stored).toEqual({ session: [TOKEN], local: 0, cookies: '' });
  });

  it('charts the calls made in this test and ranks their tenants and models', async () => {
    const requests = page.locator('.card', { hasText: 'Requests' }).locator('.value');
    expect(await requests.textContent()).toBe('6');
    expect(await page.locator('.card', { hasText: 'Errors' }).locator('.value').textContent()).toBe(
      '1',
    );
    // uPlot drew its canvases, one per chart.
    expect(await page.locator('figure.chart canvas').count()).toBeGreaterThanOrEqual(3);
    // The same numbers in the accessible table beside the chart.
    const table = page
      .locator('figure.chart', { hasText: 'Requests and errors' })
      .locator('details table');
    const cells = await table.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(6);
    const tenants = page.locator('h2:has-text("Top tenants") + .table-wrap tbody tr');
    expect(await tenants.first().locator('td').first().textContent()).toBe('acme');
    const models = await page.locator('h2:has-text("Top models") + .table-wrap').textContent();
    expect(models).toContain('echo');
    await screenshot(page, 'overview');
  });

  let newKey = '';
  it('creates a tenant whose name and tags are shown as text, never as HTML', async () => {
    await go('Tenants & keys');
    await page.getByRole('heading', { name: 'Tenants and keys' }).waitFor();
    // Validated before sending: no name, a bad id.
    await page.getByLabel('Id (optional)').fill('Bad Id!');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByText('Give the tenant a name.').waitFor();
    await page.getByText('Lowercase letters, digits and dashes, starting').waitFor();
    // Refused by the API: its message is shown.
    await page.getByLabel('Id (optional)').fill('acme');
    await page.getByLabel('Name', { exact: true }).fill('Another Acme');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.locator('.notice.error').waitFor();
    expect(await page.locator('.notice.error').textContent()).toMatch(/acme/);

    await page.getByLabel('Id (optional)').fill('xss-corp');
    await page.getByLabel('Name', { exact: true }).fill(XSS);
    await page.getByLabel('Tags (optional)').fill(`team=${XSS}`);
    await page.getByLabel('Requests per minute (optional)').fill('100');
    await page.getByLabel('Tokens per minute (optional)').fill('20000');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const row = page.locator('tr[data-tenant="xss-corp"]');
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe(XSS);
    expect(await row.locator('img').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  });

  it('creates a key shown once with a copy button, and revoking it refuses the next call', async () => {
    await page.locator('tr[data-tenant="xss-corp"]').getByRole('link', { name: 'Keys' }).click();
    await page.getByRole('heading', { name: 'New API key' }).waitFor();
    expect(page.url()).toBe(`${gw.url}/console/tenants/xss-corp`);
    // Validation: no scope.
    for (const scope of ['completions:write', 'embeddings:write', 'models:read'])
      await page.getByLabel(scope).uncheck();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('Choose at least one scope.').waitFor();
    await page.getByLabel('completions:write').check();
    await page.getByLabel('Key name').fill('ci-key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    newKey = (await shown.textContent()) ?? '';
    expect(newKey).toMatch(/^gw_[0-9a-f]{40}$/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(newKey);
    await screenshot(page, 'tenant-keys');

    expect((await chat(newKey)).status).toBe(200);
    await page.getByRole('button', { name: 'I stored it' }).click();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    // The list shows the key masked only.
    const listed = await page.locator('table[aria-label="API keys"]').textContent();
    expect(listed).not.toContain(newKey);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke ci-key' }).click();
    await page.getByText('revoked: calls with it are refused').waitFor();
    const refused = await chat(newKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('api_key_revoked');
    await page
      .locator('tr', { hasText: 'ci-key' })
      .locator('.badge', { hasText: 'revoked' })
      .waitFor();
  });

  it('suspends and reactivates a tenant', async () => {
    await go('Tenants & keys');
    await page.getByRole('button', { name: 'Suspend acme', exact: true }).click();
    await page.locator('tr[data-tenant="acme"] .badge', { hasText: 'suspended' }).waitFor();
    const refused = await chat(acmeKey);
    expect(refused.body.error.code).toBe('tenant_suspended');
    await page.getByRole('button', { name: 'Activate acme' }).click();
    await page.locator('tr[data-tenant="acme"] .badge', { hasText: 'active' }).waitFor();
    expect((await chat(acmeKey)).status).toBe(200);
  });

  it('shows a policy compile error inline at its line, then enforces the fixed policy', async () => {
    await go('Policies');
    await page.getByRole('heading', { name: 'New policy' }).waitFor();
    await page.getByLabel('Id (optional)').fill('no-blocked');
    const broken = [
      'rules:',
      '  - id: block-model',
      '    conditions:',
      '      modle: { denylist: ["mock/blocked*"] }',
      `    deny_message: 'Blocked ${XSS}'`,
      '',
    ].join('\n');
    await page.getByLabel('Policy DSL (YAML)').fill(broken);
    await page.getByRole('button', { name: 'Create policy' }).click();
    const inline = page.locator('.inline-errors li');
    await inline.waitFor();
    expect(await inline.getAttribute('data-line')).toBe('4');
    expect(await inline.textContent()).toMatch(
      /^Line 4 \(rule block-model › conditions › modle\): .*modle/,
    );
    expect(await page.locator('.gutter .bad').textContent()).toBe('4');
    expect(await page.getByLabel('Policy DSL (YAML)').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'policy-error');
    // "Go to line" puts the cursor on the offending key.
    await page.getByRole('button', { name: 'Go to line 4' }).click();
    const selected = await page.evaluate(() => {
      const area = document.getElementById('policy-dsl') as HTMLTextAreaElement;
      return area.value.slice(area.selectionStart, area.selectionEnd);
    });
    expect(selected).toContain('modle');

    await page.getByLabel('Policy DSL (YAML)').fill(broken.replace('modle', 'model'));
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByText('Policy no-blocked saved (ACTIVE)').waitFor();
    expect(await page.locator('.inline-errors').count()).toBe(0);
    const denied = await eventually(
      () => chat(acmeKey, 'mock/blocked-model'),
      (res) => res.status === 403,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('policy_denied');
    expect((await chat(acmeKey)).status).toBe(200);

    // Dry-run of a sample request: the policy's message, as text.
    await page.getByLabel('Sample request (JSON)').fill('{"model": ');
    await page.getByRole('button', { name: 'Run dry-run' }).click();
    await page.getByText('Not valid JSON').waitFor();
    await page
      .getByLabel('Sample request (JSON)')
      .fill('{"model": "mock/blocked-x", "messages": [{"role": "user", "content": "hi"}]}');
    await page.getByRole('button', { name: 'Run dry-run' }).click();
    const result = page.getByTestId('dry-run-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Decision: DENY');
    expect(await result.textContent()).toContain(`Blocked ${XSS}`);
    expect(await page.locator('img').count()).toBe(0);
    await screenshot(page, 'policies');
  });

  it('filters the audit log, opens an event and verifies the chain', async () => {
    await go('Audit');
    await page.getByRole('heading', { name: 'Audit', exact: true }).waitFor();
    await page.getByLabel('To (UTC, exclusive)').fill('2020-01-01T00:00:00');
    await page.getByLabel('From (UTC, inclusive)').fill('2021-01-01T00:00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('The end is not after the start.').waitFor();
    await page.getByLabel('To (UTC, exclusive)').fill('');
    await page.getByLabel('From (UTC, inclusive)').fill('');
    await page.getByLabel('Event type').selectOption('ADMIN_CHANGE');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table[aria-label="Audit events"] tbody tr')];
      return (
        rows.length > 0 &&
        rows.every((row) => row.getAttribute('data-event-type') === 'ADMIN_CHANGE')
      );
    });
    await page
      .locator('table[aria-label="Audit events"] tbody tr')
      .first()
      .getByRole('button')
      .click();
    const detail = page.getByTestId('audit-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('ADMIN_CHANGE');
    expect(await detail.locator('pre').textContent()).toContain('"action"');
    await screenshot(page, 'audit-event');

    await page.getByLabel('Event type').selectOption('GATEWAY_RESPONSE');
    await page.getByLabel('Tenant').fill('xss-corp');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table[aria-label="Audit events"] tbody tr')];
      return rows.length > 0 && rows.every((row) => row.textContent?.includes('xss-corp'));
    });

    await page.getByRole('button', { name: 'Verify chain' }).click();
    const verdict = page.getByTestId('verify-result');
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(/^Chain intact\. \d+ events checked/);
    await screenshot(page, 'audit');
  });

  it('reports spend by tenant and downloads it as CSV', async () => {
    await go('Spend');
    await page.getByLabel('From (inclusive)').fill('');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByText('Enter a start date').waitFor();
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('From (inclusive)').fill(today);
    await page.getByLabel('model').uncheck();
    await page.getByRole('button', { name: 'Show report' }).click();
    const report = page.locator('table[aria-label="Spend report"]');
    await report.waitFor();
    const rows = await report.locator('tbody tr').allTextContents();
    expect(rows.some((row) => row.startsWith('acme'))).toBe(true);
    await screenshot(page, 'spend');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`spend-${today}-to-${today}-by-tenant.csv`);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toBe(
      'tenant,requests,input_tokens,output_tokens,cached_input_tokens,cost_usd,estimated_requests,unpriced_requests',
    );
    const acme = csv.find((line) => line.startsWith('acme,'));
    expect(Number(acme?.split(',')[1])).toBeGreaterThanOrEqual(5);
  });

  it('creates a budget and shows its utilisation, and the rate limits with their use', async () => {
    // A call of the tenant with limits of its own, just now: counted in "the last minute".
    expect((await chat(await issueKey(gw, { tenant: 'xss-corp' }))).status).toBe(200);
    await go('Budgets & limits');
    await page.getByRole('button', { name: 'Create budget' }).click();
    await page.getByText('A limit in USD').waitFor();
    await page.getByLabel('Tenant', { exact: true }).fill('acme');
    await page.getByLabel('Limit (USD)').fill('5');
    await page.getByLabel('Warn at % (optional)').fill('80');
    await page.getByLabel('Id (optional)', { exact: true }).fill('acme-month');
    await page.getByRole('button', { name: 'Create budget' }).click();
    const meter = page.getByRole('meter', { name: 'acme-month spend' });
    await meter.waitFor();
    expect(Number(await meter.getAttribute('max'))).toBe(5);
    expect(await page.locator('tr[data-budget="acme-month"]').textContent()).toContain('of $5.00');
    // The tenant's own rate limits, with the last minute of its calls against them.
    const requests = page.getByRole('meter', {
      name: 'tenant xss-corp: requests in the last minute',
    });
    await requests.waitFor();
    expect(Number(await requests.getAttribute('max'))).toBe(100);
    expect(Number(await requests.getAttribute('value'))).toBeGreaterThanOrEqual(1);
    const tokens = page.getByRole('meter', { name: 'tenant xss-corp: tokens in the last minute' });
    expect(Number(await tokens.getAttribute('max'))).toBe(20000);
    await screenshot(page, 'budgets');
  });

  it('is usable at a phone width and with the keyboard', async () => {
    const phone = await openConsole(browser, gw.url, { width: 390, height: 844 });
    await phone.page.goto(`${gw.url}/console/`);
    await phone.page.getByLabel('Admin token').fill(TOKEN);
    await phone.page.keyboard.press('Enter');
    await phone.page.getByRole('heading', { name: 'Overview' }).waitFor();
    await phone.page.locator('figure.chart canvas').first().waitFor();
    const overflow = await phone.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'overview-phone');
    // Keyboard: the first Tab reaches the skip link, which moves focus to the content; the
    // sections are links reachable in order.
    await phone.page.keyboard.press('Tab');
    expect(await phone.page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Skip to content',
    );
    await phone.page.keyboard.press('Enter');
    expect(await phone.page.evaluate(() => document.activeElement?.id)).toBe('main');
    await phone.page.getByRole('link', { name: 'Spend' }).focus();
    await phone.page.keyboard.press('Enter');
    await phone.page.getByRole('heading', { name: 'Spend' }).waitFor();
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });

  it('goes back to sign-in when the session is no longer valid, and signs out', async () => {
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage)) sessionStorage.setItem(key, 'stale-token');
    });
    await page.reload();
    await page
      .getByRole('heading', { name: 'Overview' })
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await page.getByText('Your session ended').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You signed out.').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('reported no script error and no CSP violation on any page', () => {
    expect(tab.problems).toEqual([]);
  });
});
