import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and without the background networking a closed network makes slow (component
 * updates, sync, QUIC probes).
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Where the screenshots go: `docs/screenshots/` (shown by the README) when
 * `CONSOLE_SCREENSHOTS=1`, else a temporary folder, so a test run leaves the work tree alone.
 */
export const SCREENSHOTS =
  process.env.CONSOLE_SCREENSHOTS === '1'
    ? resolve('docs/screenshots')
    : join(tmpdir(), `console-screenshots-${process.pid}`);

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} does not exist: install it with \`apt-get install -y chromium\`.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and CSP violations the page reported. */
  readonly problems: string[];
}

/** A fresh browser context (its own sessionStorage) on a page, recording what goes wrong in it. */
export async function openConsole(
  browser: Browser,
  origin: string,
  viewport = { width: 1280, height: 900 },
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    // A 401 or 4xx the console provoked on purpose is logged by Chromium as a failed resource.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { context, page, problems };
}

/** Writes `<SCREENSHOTS>/<name>.png`. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage });
}
