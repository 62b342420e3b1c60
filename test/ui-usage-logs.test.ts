/**
 * The console's Usage and Logs pages in a real browser against a real gateway: exact totals (the
 * sum of the x-tollgate-response-cost headers), failed requests, unpriced traffic flagged, time
 * zones, CSV export, an invalid range that clears the view, log filters, keyset paging, and the
 * price explanation of a request checked against a hand calculation. Also the layout bugs of the
 * first dashboard: request ids on one line, the pricing source never clipped.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import {
  type BWindow,
  exactSum,
  goTo,
  type Harness,
  MASTER,
  openConsole,
  type Sent,
  screenshot,
  signInAndWait,
  startHarness,
} from './ui-harness.js';

let h: Harness;
let appKey = '';
const byId = new Map<string, Sent>();

interface LogRow {
  request_id: string;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  model_id: string;
  api_base: string;
  startTime: string;
  pricing_source: string;
}

async function apiLogs(query = ''): Promise<LogRow[]> {
  const res = await h.get(`/spend/logs?limit=1000${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as LogRow[];
}

beforeAll(async () => {
  h = await startHarness();
  appKey = await h.generateKey({ key_alias: 'search-app' });
  const runs: Array<[string, string, string, string[], string]> = [
    [MASTER, 'cheap-chat', 'acme-corp', ['jobID:214590', 'taskName:classify'], 'Classify this page please.'],
    [
      MASTER,
      'smart-chat',
      'acme-corp',
      ['jobID:214590'],
      'Write a careful summary of the quarterly numbers.',
    ],
    [appKey, 'smart-chat', 'globex', ['taskName:search'], 'Find the best match for this query, thoroughly.'],
    [appKey, 'cheap-chat', 'initech', [], 'hi'],
    [
      MASTER,
      'cheap-chat',
      'globex',
      ['taskName:classify'],
      'Another page to classify, a little longer this time.',
    ],
    [MASTER, 'broken-chat', 'acme-corp', ['jobID:214590'], 'This one fails upstream.'],
    [MASTER, 'private-llm', 'globex', [], 'Our own model, with no price anywhere.'],
    [MASTER, 'quiet-chat', 'initech', [], 'The provider reports no usage for this one.'],
  ];
  for (const r of runs) byId.set((await h.chat(...r)).requestId, h.sent[h.sent.length - 1]);
  for (let i = 0; i < 24; i++) {
    const s = await h.chat(appKey, 'cheap-chat', `bulk-${i % 3}`, ['bulk'], `bulk request number ${i}`);
    byId.set(s.requestId, s);
  }
  await h.t.gw.ledger.flush();
  expect(h.sent.filter((s) => s.status !== 200).map((s) => s.model)).toEqual(['broken-chat']);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('Usage page', () => {
  it('shows exact totals, failed requests, unpriced traffic, top tables and a drawn chart', async () => {
    const { page, problems, urls } = await openConsole(h);
    await signInAndWait(page, MASTER);
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();
    const total = exactSum(h.sent);
    expect(total).toMatch(/^0\.\d+$/);
    expect(await page.locator('#total-spend .money').getAttribute('data-value')).toBe(total);
    expect(await page.locator('#total-spend').textContent()).toBe(`$${total}`);
    expect(await page.locator('#total-requests').textContent()).toBe(String(h.sent.length));
    expect(await page.locator('#total-failed').textContent()).toBe('1 failed');
    // Unpriced traffic is counted and named, never shown as free without a word.
    expect(await page.locator('#unpriced-value').textContent()).toBe('1 unpriced');
    const privateRow = page.locator('#top-models tbody tr', { hasText: 'private-llm' });
    expect(await privateRow.locator('.badge').textContent()).toBe('unpriced');
    // The failed-requests column.
    const broken = page.locator('#top-models tbody tr', { hasText: 'broken-chat' });
    expect(await broken.locator('td').nth(2).textContent()).toBe('1');
    // Per-customer spend is the exact sum of that customer's costs.
    const acme = page.locator('#top-customers tbody tr', { hasText: 'acme-corp' });
    expect(await acme.locator('.money').getAttribute('data-value')).toBe(
      exactSum(h.sent.filter((s) => s.user === 'acme-corp')),
    );
    expect(await page.locator('#top-keys tbody th').allTextContents()).toContain('search-app');
    expect((await page.locator('#top-tags tbody th').allTextContents()).sort()).toEqual(
      ['bulk', 'jobID:214590', 'taskName:classify', 'taskName:search'].sort(),
    );
    // Recent requests: the API's newest ten, in its order, each with its exact cost.
    const ids = await page
      .locator('#logs tbody tr[data-request-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request-id')));
    expect(ids).toEqual((await apiLogs()).slice(0, 10).map((r) => r.request_id));
    for (const id of ids) {
      const cell = page.locator(`#logs tr[data-request-id="${id}"] td.cost .money`);
      expect(await cell.getAttribute('data-value')).toBe(byId.get(id!)!.cost);
    }
    // The chart drew one dataset per model with traffic.
    expect(Number(await page.locator('#spend-chart').getAttribute('data-datasets'))).toBe(5);
    // Nothing but the gateway, and the key never in a URL.
    for (const u of urls) {
      expect(u.startsWith(`${h.t.url}/`) || u.startsWith('data:') || u.startsWith('blob:'), u).toBe(true);
      expect(u).not.toContain(MASTER);
    }
    expect(problems).toEqual([]);
    await screenshot(page, 'usage-desktop');
    await page.context().close();
  });

  it('changes time zone, exports CSV with the exact total, and an invalid range clears the view', async () => {
    const { page, problems } = await openConsole(h);
    await signInAndWait(page, MASTER);
    await page.locator('#spend-chart[data-rendered="true"]').waitFor();
    await page.getByLabel('Time zone').selectOption('Europe/Paris');
    // The range ends tomorrow (UTC date + 1): the logs just written fall inside it in Paris whatever the
    // time of day (from 23:00 UTC, Paris is already on the next calendar day).
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('To (inclusive)').fill(tomorrow);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('#status', { hasText: '(Europe/Paris)' }).waitFor();
    const newest = (await apiLogs())[0];
    // The table shows the log's UTC instant as Paris wall-clock time (sv-SE formats as YYYY-MM-DD HH:MM:SS).
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Paris',
      dateStyle: 'short',
      timeStyle: 'medium',
    }).format(new Date(newest.startTime));
    await page.locator(`#logs tr[data-request-id="${newest.request_id}"]`).waitFor();
    expect(
      await page.locator(`#logs tr[data-request-id="${newest.request_id}"] td`).nth(1).textContent(),
    ).toBe(local);
    expect(await page.locator('#total-spend .money').getAttribute('data-value')).toBe(exactSum(h.sent));

    // CSV export of the summary by model: its spend column adds up exactly to the total.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^tollgate-usage-by-model-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    const header = csv[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['period', 'model', 'spend', 'requests']));
    const col = header.indexOf('spend');
    const csvTotal = csv.slice(1).reduce((sum, line) => sum + parseMoney(line.split(',')[col]), 0n);
    expect(formatMoney(csvTotal)).toBe(exactSum(h.sent));

    // An impossible range: nothing stale stays on screen, and the status says it was not updated.
    await page.getByLabel('From').fill('2030-01-10');
    await page.getByLabel('To (inclusive)').fill('2030-01-01');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('#status', { hasText: 'Not updated' }).waitFor();
    expect(await page.locator('#status').textContent()).not.toContain('Updated ');
    expect(await page.locator('#total-spend').textContent()).toBe('–');
    expect(await page.locator('#spend-chart').isHidden()).toBe(true);
    expect(await page.locator('#chart-empty').textContent()).toBe('No data: choose a valid range.');
    expect(await page.locator('#usage-error').textContent()).toContain('before the start date');
    expect(await page.locator('#logs tbody').textContent()).toBe('No data.');
    // A valid range without traffic: zero, not the previous numbers.
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('To (inclusive)').fill('2020-01-31');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('#status', { hasText: '2020-01-01 to 2020-01-31' }).waitFor();
    expect(await page.locator('#total-spend').textContent()).toBe('$0.00');
    expect(await page.locator('#unpriced-value').textContent()).toBe('All priced');
    expect(await page.locator('#logs tbody').textContent()).toContain('No requests in this range.');
    expect(await page.locator('#chart-empty').textContent()).toBe('No spend in this range.');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('Logs page', () => {
  const rowIds = (page: import('playwright-core').Page) =>
    page
      .locator('#log-table tbody tr[data-request-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-request-id')));

  it('filters by customer, status, tag, model, request id and unpriced, each as the API does', async () => {
    const { page, problems } = await openConsole(h);
    await signInAndWait(page, MASTER);
    await goTo(page, '#/logs');
    await page.locator('#log-table tbody tr[data-request-id]').first().waitFor();
    const apply = async (fill: Record<string, string>, check?: boolean) => {
      await page.getByRole('button', { name: 'Clear' }).click();
      for (const [label, value] of Object.entries(fill)) {
        const field = page.getByLabel(label, { exact: true });
        if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
        else await field.fill(value);
      }
      if (check) await page.getByLabel('Unpriced only').check();
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('#log-page', { hasText: 'page 1' }).waitFor();
      await page.waitForFunction(
        () =>
          !(globalThis as unknown as BWindow).document
            .querySelector('#log-page')
            ?.textContent?.includes('loading'),
      );
      return rowIds(page);
    };
    const ids = (pred: (s: Sent) => boolean) =>
      h.sent
        .filter(pred)
        .map((s) => s.requestId)
        .sort();
    expect((await apply({ 'Customer (end user)': 'globex' })).sort()).toEqual(
      ids((s) => s.user === 'globex'),
    );
    expect(await apply({ Status: 'failure' })).toEqual(ids((s) => s.status !== 200));
    expect((await apply({ 'Tags (any of, comma-separated)': 'taskName:classify' })).sort()).toEqual(
      ids((s) => s.tags.includes('taskName:classify')),
    );
    expect((await apply({ 'Model (group or deployment)': 'smart-chat' })).sort()).toEqual(
      ids((s) => s.model === 'smart-chat'),
    );
    const one = h.sent[2].requestId;
    expect(await apply({ 'Request id': one })).toEqual([one]);
    expect(await apply({}, true)).toEqual(ids((s) => s.model === 'private-llm'));
    expect(await page.locator('#log-table .badge', { hasText: 'unpriced' }).count()).toBe(1);
    // The filters live in the URL (shareable), the key never does.
    expect(page.url()).toContain('unpriced=true');
    expect(page.url()).not.toContain(MASTER);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('pages with the API cursor, older and back to newer', async () => {
    const { page, problems } = await openConsole(h);
    await signInAndWait(page, MASTER);
    await goTo(page, '#/logs?size=25');
    await page.locator('#log-table tbody tr[data-request-id]').first().waitFor();
    const order = (await apiLogs()).map((r) => r.request_id);
    expect(order.length).toBe(h.sent.length);
    expect(await rowIds(page)).toEqual(order.slice(0, 25));
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.locator('#log-page', { hasText: 'page 2' }).waitFor();
    await expect.poll(() => rowIds(page)).toEqual(order.slice(25));
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.locator('#log-page', { hasText: 'page 1' }).waitFor();
    await expect.poll(() => rowIds(page)).toEqual(order.slice(0, 25));
    // Layout: a request id is one short line (full id in the detail), the source is never clipped.
    const layout = await page.evaluate(() => {
      const w = globalThis as unknown as BWindow;
      const btn = w.document.querySelector('#log-table tbody td.mono button')!;
      const src = [...w.document.querySelectorAll('#log-table td.source')];
      const lineHeight = Number.parseFloat(w.getComputedStyle(btn).lineHeight) || 20;
      return {
        idLines: btn.getBoundingClientRect().height / lineHeight,
        clipped: src.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
      };
    });
    expect(layout.idLines).toBeLessThan(1.5);
    expect(layout.clipped).toBe(0);
    expect(problems).toEqual([]);
    await screenshot(page, 'logs-desktop');
    await page.context().close();
  });

  it('opens the price explanation of a request: classes × unit prices = the exact cost', async () => {
    const { page, problems } = await openConsole(h);
    await signInAndWait(page, MASTER);
    const cheap = h.sent[0]; // cheap-chat through the mock: 4 of the prompt tokens are cache reads
    const [log] = await apiLogs(`&request_id=${cheap.requestId}`);
    expect(log.cache_read_tokens).toBe(4);
    // Hand calculation: (prompt − 4) × 0.0000013 + 4 × 0.00000065 + completion × 0.0000027.
    const uncached = BigInt(log.prompt_tokens - 4);
    const expected =
      uncached * parseMoney('0.0000013') +
      4n * parseMoney('0.00000065') +
      BigInt(log.completion_tokens) * parseMoney('0.0000027');
    expect(cheap.cost).toBe(formatMoney(expected));
    await goTo(page, `#/logs?request_id=${cheap.requestId}`);
    const open = page.locator(`#log-table tr[data-request-id="${cheap.requestId}"] button`);
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Request details' });
    await dialog.waitFor();
    expect(await dialog.locator('#detail-request-id').textContent()).toBe(cheap.requestId);
    const lines = await dialog
      .locator('#explain-lines tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-kind'),
          r.querySelectorAll('td')[0].textContent,
          r.querySelectorAll('.money')[1].getAttribute('data-value'),
        ]),
      );
    expect(lines).toEqual([
      ['input', `${log.prompt_tokens - 4} tokens`, formatMoney(uncached * parseMoney('0.0000013'))],
      ['cache_read', '4 tokens', formatMoney(4n * parseMoney('0.00000065'))],
      [
        'output',
        `${log.completion_tokens} tokens`,
        formatMoney(BigInt(log.completion_tokens) * parseMoney('0.0000027')),
      ],
    ]);
    expect(await dialog.locator('#explain-total .money').getAttribute('data-value')).toBe(cheap.cost);
    expect(await dialog.locator('#explain-check').textContent()).toBe(
      'The lines add up exactly to the recorded cost.',
    );
    expect(await dialog.locator('#explain-source').textContent()).toBe(log.pricing_source);
    expect(await dialog.locator('#detail-deployment').textContent()).toBe(log.model_id);
    expect(await dialog.locator('#detail-api-base').textContent()).toBe(log.api_base);
    expect(log.api_base).toContain('127.0.0.1');
    await screenshot(page, 'log-detail');
    // Escape closes it and gives focus back to the row's button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(
      await open.evaluate((el) => el === (globalThis as unknown as BWindow).document.activeElement),
    ).toBe(true);

    // An estimated request says so; an unpriced one says it was not free; a failure billed nothing.
    const detail = async (s: Sent) => {
      await goTo(page, `#/logs?request_id=${s.requestId}`);
      await page.locator(`#log-table tr[data-request-id="${s.requestId}"] button`).click();
      await dialog.waitFor();
      const text = await dialog.textContent();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      return text ?? '';
    };
    const quiet = h.sent.find((s) => s.model === 'quiet-chat')!;
    expect(await detail(quiet)).toContain('estimated by the gateway');
    const unpriced = h.sent.find((s) => s.model === 'private-llm')!;
    expect(unpriced.cost).toBe('0');
    expect(await detail(unpriced)).toContain('No price was found for this deployment');
    const failed = h.sent.find((s) => s.model === 'broken-chat')!;
    expect(await detail(failed)).toContain('Failed request: nothing was billed.');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
