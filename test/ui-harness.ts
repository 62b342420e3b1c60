/**
 * Shared setup of the admin console's browser tests: a real gateway (embedded database, the
 * project's mock upstream), traffic with known costs, Debian's chromium driven by playwright-core
 * (never a downloaded browser), pages watched for script errors, CSP violations and requests to
 * other origins, screenshots kept under .ci-out/screenshots/ (CI artifacts), and an axe-core run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

export const CHROMIUM = '/usr/bin/chromium';
export const MASTER = 'sk-1234';
export const SCREENSHOTS = fileURLToPath(new URL('../.ci-out/screenshots/', import.meta.url));

/**
 * Deployments with known custom prices (USD per token), one that always fails, one with no price
 * at all (unpriced), one whose provider reports no usage (estimated), all on the mock upstream.
 */
export const CONFIG = `
model_list:
  - model_name: cheap-chat
    litellm_params: { model: openai/gpt-4o-mini-cache-4, api_base: "{{MOCK}}/v1", api_key: sk-upstream, max_retries: 0 }
    model_info: { input_cost_per_token: 0.0000013, output_cost_per_token: 0.0000027, cache_read_input_token_cost: 0.00000065 }
  - model_name: smart-chat
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-upstream, max_retries: 0 }
    model_info: { input_cost_per_token: 0.0000317, output_cost_per_token: 0.0000631 }
  - model_name: broken-chat
    litellm_params: { model: openai/fail-500, api_base: "{{MOCK}}/v1", api_key: sk-upstream, max_retries: 0 }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
  - model_name: private-llm
    litellm_params: { model: openai/acme-private-model, api_base: "{{MOCK}}/v1", api_key: sk-upstream, max_retries: 0 }
  - model_name: quiet-chat
    litellm_params: { model: openai/no-usage, api_base: "{{MOCK}}/v1", api_key: sk-upstream, max_retries: 0 }
    model_info: { input_cost_per_token: 0.000002, output_cost_per_token: 0.000004 }
router_settings: { num_retries: 0 }
general_settings:
  master_key: ${MASTER}
`;

export interface Sent {
  requestId: string;
  /** Exact decimal text of x-tollgate-response-cost ('0' for failures). */
  cost: string;
  model: string;
  user: string;
  tags: string[];
  key: string;
  status: number;
}

export interface Harness {
  t: TestGateway;
  browser: Browser;
  sent: Sent[];
  post(path: string, key: string, body: unknown): Promise<Response>;
  get(path: string, key?: string): Promise<Response>;
  generateKey(body: Record<string, unknown>): Promise<string>;
  chat(key: string, model: string, user: string, tags: string[], content: string): Promise<Sent>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the console tests drive Debian's chromium. Install it with: apt-get install chromium (or scripts/ensure-chromium.sh)`,
    );
  }
  const t = await startTestGateway(CONFIG);
  const sent: Sent[] = [];
  const post = (path: string, key: string, body: unknown) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const get = (path: string, key = MASTER) =>
    fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    t,
    browser,
    sent,
    post,
    get,
    async generateKey(body) {
      const res = await post('/key/generate', MASTER, body);
      expect(res.status).toBe(200);
      return ((await res.json()) as { key: string }).key;
    },
    async chat(key, model, user, tags, content) {
      const res = await post('/v1/chat/completions', key, {
        model,
        user,
        messages: [{ role: 'user', content }],
        metadata: { tags },
      });
      await res.arrayBuffer();
      const requestId = res.headers.get('x-tollgate-request-id');
      expect(requestId).toBeTruthy();
      const cost = res.headers.get('x-tollgate-response-cost') ?? '0';
      expect(cost).toMatch(/^\d+(\.\d+)?$/);
      const s = { requestId: requestId!, cost, model, user, tags, key, status: res.status };
      sent.push(s);
      return s;
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** Exact sum of the costs the gateway returned (BigInt money, printed in shortest form). */
export function exactSum(list: readonly Sent[]): string {
  return formatMoney(list.reduce((sum, s) => sum + parseMoney(s.cost), 0n));
}

export interface Watched {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and CSP violations. */
  problems: string[];
  /** Every URL the page requested. */
  urls: string[];
}

export async function openConsole(
  h: Harness,
  opts: { width?: number; height?: number; timezoneId?: string } = {},
): Promise<Watched> {
  const context = await h.browser.newContext({
    viewport: { width: opts.width ?? 1360, height: opts.height ?? 900 },
    timezoneId: opts.timezoneId ?? 'UTC',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const urls: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => urls.push(r.url()));
  const res = await page.goto(`${h.t.url}/ui`);
  expect(res?.status()).toBe(200);
  await page.locator('#key-input').waitFor();
  return { page, context, problems, urls };
}

export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in and waits for the shell (navigation) to show. */
export async function signInAndWait(page: Page, key: string): Promise<void> {
  await signIn(page, key);
  await page.getByRole('navigation', { name: 'Console pages' }).waitFor();
}

export async function goTo(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
}

/** Full-page screenshot kept as a CI artifact. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe-core (WCAG 2 A/AA rules) on the current page: the violations, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')}`,
  );
}

/** The page's own document is never wider than the viewport (no sideways scrolling of the page). */
export async function pageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

/** The browser globals page.evaluate callbacks use (the project compiles without the DOM lib). */
export interface BEl {
  tagName: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): BEl | null;
  querySelectorAll(selector: string): Iterable<BEl> & ArrayLike<BEl>;
}
export interface BWindow {
  document: BEl & { activeElement: BEl | null; documentElement: BEl };
  getComputedStyle(el: BEl): { lineHeight: string };
}
