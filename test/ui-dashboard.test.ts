/**
 * The usage dashboard at /ui, end to end in a real browser (Debian chromium driven by
 * playwright-core, never a downloaded browser): a real gateway with the mock upstream, a few priced
 * chat requests with end users and tags, then the page signed in with the master key must show the
 * exact total of the costs the gateway returned, the tags, customers and request ids, and a drawn
 * chart; refused keys must show why. Takes a screenshot to bench-results/ui.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { createGatewayServer } from '../src/gateway/server.js';
import { logger } from '../src/logger.js';
import { startMockUpstream } from '../src/mock-upstream/server.js';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { registerUiRoutes } from '../src/ui/routes.js';
import type { TestGateway } from './support/gateway.js';

const CHROMIUM = '/usr/bin/chromium';

/** The browser globals the page.evaluate callbacks use (the project compiles without the DOM lib). */
interface BrowserGlobals {
  sessionStorage: { getItem(key: string): string | null };
  localStorage: { length: number };
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
const STORED_KEY = () => (globalThis as unknown as BrowserGlobals).sessionStorage.getItem('tollgate.ui.key');
const MASTER = 'sk-1234';

const CONFIG = `
model_list:
  - model_name: cheap-chat
    litellm_params: { model: openai/gpt-4o-mini, mock_response: "Hello from the cheap model, short and sweet." }
    model_info:
      input_cost_per_token: 0.0000013
      output_cost_per_token: 0.0000027
  - model_name: smart-chat
    litellm_params: { model: openai/gpt-4o, mock_response: "A considered, much longer answer from the smart model, with care." }
    model_info:
      input_cost_per_token: 0.0000317
      output_cost_per_token: 0.0000631
general_settings:
  master_key: ${MASTER}
`;

/**
 * Like startTestGateway (test/support/gateway.ts), but registers the /ui routes before listening
 * when server.ts does not (yet) register them itself.
 */
async function startGatewayWithUi(yaml: string): Promise<TestGateway> {
  const mock = await startMockUpstream({ port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-ui-test-'));
  const config = parseConfig(yaml.replaceAll('{{MOCK}}', mock.url), { env: process.env });
  const gw = await createGatewayServer({
    config,
    logger,
    dataDir,
    env: process.env,
    ledger: { flushIntervalMs: 50 },
  });
  if (!gw.app.hasRoute({ method: 'GET', url: '/ui' })) registerUiRoutes(gw.app);
  const url = await gw.listen(0, '127.0.0.1');
  return {
    url,
    gw,
    mock,
    dataDir,
    async close() {
      await gw.close();
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Sent {
  requestId: string;
  cost: string;
  model: string;
  user: string;
  tags: string[];
}

let t: TestGateway;
let browser: Browser;
const sent: Sent[] = [];
let spendKey = '';
let appKey = '';

async function post(path: string, key: string, body: unknown) {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function generateKey(body: Record<string, unknown>): Promise<string> {
  const res = await post('/key/generate', MASTER, body);
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: string }).key;
}

async function chat(key: string, model: string, user: string, tags: string[], content: string) {
  const res = await post('/v1/chat/completions', key, {
    model,
    user,
    messages: [{ role: 'user', content }],
    metadata: { tags },
  });
  expect(res.status).toBe(200);
  await res.json();
  const cost = res.headers.get('x-tollgate-response-cost');
  const requestId = res.headers.get('x-tollgate-request-id');
  expect(cost).toMatch(/^\d+(\.\d+)?$/);
  expect(requestId).toBeTruthy();
  sent.push({ requestId: requestId!, cost: cost!, model, user, tags });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard tests drive Debian's chromium. Install it with: apt-get install chromium (or scripts/ensure-chromium.sh)`,
    );
  }
  t = await startGatewayWithUi(CONFIG);
  spendKey = await generateKey({ key_alias: 'finance-dashboard', permissions: { get_spend_routes: true } });
  appKey = await generateKey({ key_alias: 'search-app' });

  await chat(
    MASTER,
    'cheap-chat',
    'acme-corp',
    ['jobID:214590', 'taskName:classify'],
    'Classify this page please.',
  );
  await chat(
    MASTER,
    'smart-chat',
    'acme-corp',
    ['jobID:214590'],
    'Write a careful summary of the quarterly numbers.',
  );
  await chat(
    appKey,
    'smart-chat',
    'globex',
    ['taskName:search'],
    'Find the best match for this query, thoroughly.',
  );
  await chat(appKey, 'cheap-chat', 'initech', [], 'hi');
  await chat(
    MASTER,
    'cheap-chat',
    'globex',
    ['taskName:classify'],
    'Another page to classify, a little longer this time.',
  );
  await t.gw.ledger.flush();

  browser = await chromium.launch({
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface PageWatch {
  page: Page;
  problems: string[];
  urls: string[];
}

async function openDashboard(): Promise<PageWatch> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const urls: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => urls.push(r.url()));
  const res = await page.goto(`${t.url}/ui`);
  expect(res?.status()).toBe(200);
  await page.locator('#key-input').waitFor();
  return { page, problems, urls };
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Request ids in the order GET /spend/logs returns them (newest first; ties by request id). */
async function apiLogOrder(): Promise<string[]> {
  const res = await fetch(`${t.url}/spend/logs?limit=1000`, {
    headers: { authorization: `Bearer ${MASTER}` },
  });
  expect(res.status).toBe(200);
  const ids = ((await res.json()) as { request_id: string }[]).map((r) => r.request_id);
  expect([...ids].sort()).toEqual(sent.map((s) => s.requestId).sort());
  return ids;
}

const exactTotal = () => formatMoney(sent.reduce((sum, s) => sum + parseMoney(s.cost), 0n));

describe('usage dashboard at /ui', () => {
  it('signed in with the master key, shows exact totals, tables, logs and a drawn chart', async () => {
    const { page, problems, urls } = await openDashboard();
    await signIn(page, MASTER);
    await page.locator('#logs tbody tr[data-request-id]').first().waitFor();
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();

    // Total spend: exactly the sum of the x-tollgate-response-cost values, shown as documented.
    const total = exactTotal();
    expect(total).toMatch(/^0\.\d+$/);
    const spendCard = page.locator('#total-spend');
    expect(await spendCard.getAttribute('data-value')).toBe(total);
    expect(await spendCard.textContent()).toBe(`$${total}`);
    expect(await page.locator('#total-requests').textContent()).toBe(String(sent.length));

    // Customers and tags.
    const customers = await page.locator('#top-customers tbody th').allTextContents();
    expect(customers.sort()).toEqual(['acme-corp', 'globex', 'initech']);
    const tags = await page.locator('#top-tags tbody th').allTextContents();
    expect(tags.sort()).toEqual(['jobID:214590', 'taskName:classify', 'taskName:search']);
    const models = await page.locator('#top-models tbody th').allTextContents();
    expect(models.sort()).toEqual(['cheap-chat', 'smart-chat']);
    // Per-customer spend is the exact sum of that customer's costs.
    const acme = formatMoney(
      sent.filter((s) => s.user === 'acme-corp').reduce((sum, s) => sum + parseMoney(s.cost), 0n),
    );
    const acmeRow = page.locator('#top-customers tbody tr', { hasText: 'acme-corp' });
    expect(await acmeRow.locator('td.money').getAttribute('data-value')).toBe(acme);
    // The virtual key shows by its alias.
    expect(await page.locator('#top-keys tbody th').allTextContents()).toContain('search-app');

    // Recent logs list every request id, newest first, with its exact cost.
    const ids = await page
      .locator('#logs tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request-id')));
    expect(ids).toEqual(await apiLogOrder());
    for (const s of sent) {
      const row = page.locator(`#logs tbody tr[data-request-id="${s.requestId}"]`);
      expect(await row.locator('td.money').getAttribute('data-value')).toBe(s.cost);
      expect(await row.locator('td').nth(4).textContent()).toBe(s.user);
      expect(await row.locator('.tag').allTextContents()).toEqual(s.tags);
    }
    expect(await page.locator('#logs tbody tr', { hasText: 'search-app' }).count()).toBe(2);

    // The chart drew bars: one dataset per model, and coloured pixels on the canvas.
    expect(await page.locator('#spend-chart').getAttribute('data-datasets')).toBe('2');
    const painted = await page.locator('#spend-chart').evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const ctx = c.getContext('2d');
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && !(data[i] === data[i + 1] && data[i + 1] === data[i + 2])) coloured++;
      }
      return { width: c.width, height: c.height, coloured };
    });
    expect(painted.width).toBeGreaterThan(300);
    expect(painted.height).toBeGreaterThan(100);
    expect(painted.coloured).toBeGreaterThan(100);

    // The key lives in sessionStorage only, never in a URL; nothing is fetched from elsewhere.
    expect(await page.evaluate(STORED_KEY)).toBe(MASTER);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.length)).toBe(0);
    expect(page.url()).not.toContain(MASTER);
    for (const u of urls) {
      expect(u.startsWith(`${t.url}/`) || u.startsWith('data:'), u).toBe(true);
      expect(u).not.toContain(MASTER);
    }
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(problems).toEqual([]); // no CSP violations, no script errors

    const shots = fileURLToPath(new URL('../bench-results/', import.meta.url));
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'ui.png'), fullPage: true });

    // A reload keeps the session; signing out forgets the key.
    await page.reload();
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();
    expect(await page.locator('#total-spend').getAttribute('data-value')).toBe(total);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(STORED_KEY)).toBeNull();
    expect(await page.locator('#signin').isVisible()).toBe(true);
    expect(await page.locator('#total-spend').textContent()).toBe('–');
    await page.context().close();
  });

  it('a date range without requests shows zero, not stale numbers', async () => {
    const { page, problems } = await openDashboard();
    await signIn(page, MASTER);
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();
    await page.getByLabel('From (UTC)').fill('2020-01-01');
    await page.getByLabel('To (UTC, inclusive)').fill('2020-01-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#status', { hasText: '2020-01-01 to 2020-01-31' }).waitFor();
    expect(await page.locator('#total-spend').getAttribute('data-value')).toBe('0');
    expect(await page.locator('#total-spend').textContent()).toBe('$0.00');
    expect(await page.locator('#logs tbody').textContent()).toContain('No requests in this range.');
    expect(await page.locator('#chart-empty').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('a virtual key with get_spend_routes can read the dashboard', async () => {
    const { page, problems } = await openDashboard();
    await signIn(page, spendKey);
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();
    expect(await page.locator('#total-spend').getAttribute('data-value')).toBe(exactTotal());
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('refused keys show why and stay signed out', async () => {
    for (const [key, gatewaySays] of [
      ['sk-wrong-key', 'Invalid API key'],
      [appKey, 'get_spend_routes'],
    ] as const) {
      const { page } = await openDashboard();
      await signIn(page, key);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await page.locator('#error-title').textContent()).toBe(
        'This key cannot read spend, it needs get_spend_routes.',
      );
      expect(await page.locator('#error-detail').textContent()).toContain(gatewaySays);
      expect(await page.locator('#signin').isVisible()).toBe(true);
      expect(await page.locator('#dashboard').isHidden()).toBe(true);
      expect(await page.evaluate(STORED_KEY)).toBeNull();
      expect(await page.locator('#total-spend').textContent()).toBe('–');
      await page.context().close();
    }
  });

  it('pages older requests with the API cursor (runs last: adds requests)', async () => {
    for (let i = 0; i < 50; i++)
      await chat(MASTER, 'cheap-chat', `bulk-${i % 3}`, ['bulk'], `bulk request ${i}`);
    await t.gw.ledger.flush();
    const { page, problems } = await openDashboard();
    await signIn(page, MASTER);
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();
    const rows = page.locator('#logs tbody tr[data-request-id]');
    expect(await rows.count()).toBe(50);
    const more = page.getByRole('button', { name: 'Load older requests' });
    expect(await more.isVisible()).toBe(true);
    await more.click();
    await expect.poll(() => rows.count()).toBe(sent.length);
    const ids = await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-request-id')));
    expect(ids).toEqual(await apiLogOrder());
    expect(await more.isHidden()).toBe(true);
    expect(await page.locator('#total-spend').getAttribute('data-value')).toBe(exactTotal());
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
