/**
 * The console by role and for every user: a key with get_spend_routes reads all spend but gets no
 * management pages; a plain virtual key sees only its own spend and logs; refused keys say why
 * (an unknown key is not "missing a permission"); axe-core finds no WCAG A/AA violation on any
 * page or dialog; every control is labelled and the console works from the keyboard; at phone
 * width no page scrolls sideways. Screenshots of each go to .ci-out/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations,
  type BWindow,
  exactSum,
  goTo,
  type Harness,
  MASTER,
  openConsole,
  pageOverflow,
  screenshot,
  signIn,
  signInAndWait,
  startHarness,
} from './ui-harness.js';

let h: Harness;
let spendKey = '';
let appKey = '';
let blockedKey = '';

const PAGES = ['usage', 'logs', 'keys', 'teams', 'users', 'customers', 'models'];
const STORED_KEY = () =>
  (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem(
    'tollgate.ui.key',
  );

beforeAll(async () => {
  h = await startHarness();
  spendKey = await h.generateKey({ key_alias: 'finance-dashboard', permissions: { get_spend_routes: true } });
  appKey = await h.generateKey({ key_alias: 'search-app', max_budget: '2.5' });
  blockedKey = await h.generateKey({ key_alias: 'old-app', blocked: true });
  await h.post('/team/new', MASTER, { team_id: 'prod', team_alias: 'Prod Team', max_budget: 50 });
  await h.post('/customer/new', MASTER, { user_id: 'globex', max_budget: 5 });
  await h.chat(MASTER, 'cheap-chat', 'acme-corp', ['jobID:1'], 'Classify this page please.');
  await h.chat(appKey, 'smart-chat', 'globex', ['taskName:search'], 'Find the best match for this query.');
  await h.chat(appKey, 'cheap-chat', 'initech', [], 'hi');
  await h.chat(MASTER, 'private-llm', 'globex', [], 'no price for this one');
  await h.t.gw.ledger.flush();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const navLabels = (page: Page) =>
  page.getByRole('navigation', { name: 'Console pages' }).getByRole('link').allTextContents();

describe('roles', () => {
  it('a key with get_spend_routes reads all spend, and management pages say they need the master key', async () => {
    const { page, problems, urls } = await openConsole(h);
    await signInAndWait(page, spendKey);
    expect(await navLabels(page)).toEqual(['Usage', 'Logs', 'Models & pricing']);
    expect(await page.locator('#role-banner').textContent()).toContain(
      'you can read every spend report and log',
    );
    expect(await page.locator('#who').textContent()).toBe('finance-dashboard (reads all spend)');
    await page.locator('#total-spend .money').waitFor();
    expect(await page.locator('#total-spend .money').getAttribute('data-value')).toBe(exactSum(h.sent));
    await screenshot(page, 'usage-spend-reader');
    await goTo(page, '#/keys');
    await page.locator('#restricted').waitFor();
    expect(await page.locator('#restricted h1').textContent()).toBe('Keys: master key only');
    await screenshot(page, 'restricted');
    // The page never even asked for management data.
    expect(urls.filter((u) => new URL(u).pathname.startsWith('/key/list'))).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('a plain virtual key sees only its own spend, logs and budget', async () => {
    const { page, problems, urls } = await openConsole(h);
    await signInAndWait(page, appKey);
    expect(await navLabels(page)).toEqual(['Usage', 'Logs', 'Models & pricing']);
    expect(await page.locator('#role-banner').textContent()).toContain(
      "you see only this key's own spend and logs",
    );
    const own = h.sent.filter((s) => s.key === appKey);
    await page.locator('#total-spend .money').waitFor();
    expect(await page.locator('#total-spend .money').getAttribute('data-value')).toBe(exactSum(own));
    expect(exactSum(own)).not.toBe(exactSum(h.sent));
    expect(await page.locator('#total-requests').textContent()).toBe(String(own.length));
    // Its budget: the exact spend of its own requests against its max_budget.
    const budget = page.locator('#card-budget .money');
    expect(await budget.nth(0).getAttribute('data-value')).toBe(exactSum(own));
    expect(await budget.nth(1).textContent()).toBe('$2.50');
    const ids = await page
      .locator('#logs tbody tr[data-request-id]')
      .evaluateAll((r) => r.map((x) => x.getAttribute('data-request-id')));
    expect(ids.sort()).toEqual(own.map((s) => s.requestId).sort());
    await screenshot(page, 'usage-own-key');
    await goTo(page, '#/logs');
    await page.locator('#log-table tbody tr[data-request-id]').first().waitFor();
    expect(await page.locator('#log-table tbody tr[data-request-id]').count()).toBe(own.length);
    expect(await page.locator('#f-key').count()).toBe(0); // no key filter: it is always this key
    await goTo(page, '#/teams');
    await page.locator('#restricted').waitFor();
    // Only key-scoped spend routes were called, never the global ones (they would answer 403).
    const paths = urls.map((u) => new URL(u).pathname);
    expect(paths.filter((p) => p.startsWith('/spend/') || p.startsWith('/global/'))).toEqual([]);
    expect(paths).toContain('/key/spend/summary');
    expect(paths).toContain('/key/spend/logs');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('refused keys say why: unknown is not a missing permission, blocked says blocked', async () => {
    for (const [key, title, detail] of [
      ['sk-wrong-key', 'This key is not valid: the gateway does not know it.', 'Invalid API key'],
      [blockedKey, 'This key is blocked.', 'blocked'],
    ] as const) {
      const { page, problems } = await openConsole(h);
      await signIn(page, key);
      const alert = page.locator('#signin-error');
      await alert.waitFor();
      expect(await alert.locator('.notice-title').textContent()).toBe(title);
      expect(await alert.locator('.notice-title').textContent()).not.toContain('get_spend_routes');
      expect(await alert.locator('.notice-detail').textContent()).toContain(detail);
      expect(await page.locator('#key-input').isVisible()).toBe(true);
      expect(await page.evaluate(STORED_KEY)).toBeNull();
      if (key === 'sk-wrong-key') await screenshot(page, 'signin-refused');
      // The gateway's 401 is logged by the browser as a failed resource load; nothing else.
      expect(problems.filter((p) => !p.includes('401') && !p.includes('403'))).toEqual([]);
      await page.context().close();
    }
  });

  it('a key deleted while signed in ends the session with the reason', async () => {
    const doomed = await h.generateKey({ key_alias: 'doomed' });
    const { page } = await openConsole(h);
    await signInAndWait(page, doomed);
    expect(await page.evaluate(STORED_KEY)).toBe(doomed);
    expect((await h.post('/key/delete', MASTER, { key_aliases: ['doomed'] })).status).toBe(200);
    await goTo(page, '#/logs');
    await page.locator('#signin-error').waitFor();
    expect(await page.locator('#signin-error .notice-title').textContent()).toBe(
      'This key is not valid: the gateway does not know it.',
    );
    expect(await page.evaluate(STORED_KEY)).toBeNull();
    await page.context().close();
  });
});

describe('accessibility and layout', () => {
  it('axe finds no WCAG A/AA violation on any page or dialog; every control is labelled', async () => {
    const { page, problems } = await openConsole(h);
    expect(await axeViolations(page)).toEqual([]); // the sign-in page
    await signInAndWait(page, MASTER);
    const unlabelled = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as BWindow;
        return [...w.document.querySelectorAll('input, select, textarea')]
          .filter((el) => {
            const c = el as unknown as { labels: ArrayLike<unknown> | null; type: string };
            return c.type !== 'hidden' && !c.labels?.length && !el.getAttribute('aria-label');
          })
          .map((el) => el.getAttribute('id') ?? el.tagName);
      });
    for (const p of PAGES) {
      await goTo(page, `#/${p}`);
      await page.locator('h1.page-title').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await axeViolations(page), p).toEqual([]);
      expect(await unlabelled(), p).toEqual([]);
    }
    await goTo(page, '#/logs');
    await page.locator('#log-table tbody tr[data-request-id] button').first().click();
    await page.getByRole('dialog', { name: 'Request details' }).waitFor();
    expect(await axeViolations(page), 'log detail').toEqual([]);
    await page.keyboard.press('Escape');
    await goTo(page, '#/keys');
    await page.locator('#create-key').click();
    await page.getByRole('dialog', { name: 'Create a key' }).waitFor();
    expect(await axeViolations(page), 'create key').toEqual([]);
    expect(await unlabelled(), 'create key').toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('works from the keyboard: skip link, navigation, a dialog opened and closed with keys', async () => {
    const { page } = await openConsole(h);
    await signInAndWait(page, MASTER);
    await page.locator('#total-spend .money').waitFor();
    const focused = () =>
      page.evaluate(() => {
        const a = (globalThis as unknown as BWindow).document.activeElement;
        return a ? `${a.tagName.toLowerCase()}:${(a.textContent ?? '').trim()}` : '';
      });
    await page.evaluate(() =>
      (globalThis as unknown as { document: { body: { focus(): void } } }).document.body.focus(),
    );
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a:Skip to content');
    // Through the navigation to "Keys", then Enter follows the link.
    for (let i = 0; i < 10 && (await focused()) !== 'a:Keys'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('a:Keys');
    await page.keyboard.press('Enter');
    await page.locator('#keys-table').waitFor();
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Keys');
    await page.locator('#create-key').focus();
    await page.keyboard.press('Enter');
    const d = page.getByRole('dialog', { name: 'Create a key' });
    await d.waitFor();
    // Focus is inside the modal; Tab stays inside it; Escape closes it and focus goes back.
    expect(
      await page.evaluate(() => !!(globalThis as unknown as BWindow).document.activeElement?.querySelector),
    ).toBe(true);
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    expect(
      await d.evaluate((el) => el.contains((globalThis as unknown as BWindow).document.activeElement)),
    ).toBe(true);
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
    expect(await focused()).toBe('button:Create key');
    await page.context().close();
  });

  it('at phone width no page scrolls sideways, dialogs fit, tables scroll inside their box', async () => {
    const { page, problems } = await openConsole(h, { width: 390, height: 844 });
    expect(await pageOverflow(page)).toBe(0);
    await signInAndWait(page, MASTER);
    for (const p of PAGES) {
      await goTo(page, `#/${p}`);
      await page.locator('h1.page-title').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await pageOverflow(page), p).toBe(0);
      await screenshot(page, `${p}-narrow`);
    }
    await goTo(page, '#/logs');
    await page.locator('#log-table tbody tr[data-request-id] button').first().click();
    const d = page.getByRole('dialog', { name: 'Request details' });
    await d.waitFor();
    const box = await d.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await screenshot(page, 'log-detail-narrow');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
