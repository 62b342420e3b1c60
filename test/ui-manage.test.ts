/**
 * The console's management pages in a real browser against a real gateway, each change checked
 * through the API: create a key with every field (shown once, then gone), edit it (only changed
 * fields sent), regenerate, block / unblock, delete; teams (budget edited to 23 exact digits,
 * members), users, customers; models & pricing (effective prices, calculator checked by hand,
 * cost map search).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  goTo,
  type Harness,
  MASTER,
  openConsole,
  screenshot,
  signInAndWait,
  startHarness,
} from './ui-harness.js';

let h: Harness;
let page: Page;
let problems: string[];

beforeAll(async () => {
  h = await startHarness();
  expect((await h.post('/team/new', MASTER, { team_id: 'prod', team_alias: 'Prod Team' })).status).toBe(200);
  const w = await openConsole(h);
  page = w.page;
  problems = w.problems;
  await signInAndWait(page, MASTER);
}, 120_000);

afterAll(async () => {
  await page?.context().close();
  await h?.close();
});

async function apiJson(
  path: string,
  key = MASTER,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await h.get(path, key);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}

const row = (table: string, text: string) => page.locator(`${table} tbody tr`, { hasText: text });
const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });

describe('Keys page', () => {
  let token = '';
  let secret = '';

  it('creates a key with every field, shows it once, and the gateway has exactly those settings', async () => {
    await goTo(page, '#/keys');
    await page.locator('#keys-table').waitFor();
    await page.locator('#create-key').click();
    const d = dialog('Create a key');
    await d.waitFor();
    await d.getByLabel('Alias', { exact: true }).fill('ci-robot');
    await d.getByLabel('Team', { exact: true }).selectOption('prod');
    await d.getByLabel('Expires after').fill('30d');
    await d.getByLabel('cheap-chat').check();
    await d.getByLabel('Max budget (USD)').fill('5.5');
    await d.getByLabel('Soft budget (USD)').fill('4');
    await d.getByLabel('Budget period').fill('30d');
    await d.getByLabel('Tokens per minute').fill('1000');
    await d.getByLabel('Requests per minute').fill('60');
    await d.getByLabel('Parallel requests').fill('2');
    await d.getByLabel('May read all spend (get_spend_routes)').check();
    await d.getByLabel('Tags', { exact: true }).fill('ci, robots');
    await d.getByLabel('Metadata (JSON)').fill('{"owner": "platform"}');
    await d.getByRole('button', { name: 'Create key' }).click();
    const shown = dialog('Key created');
    await shown.waitFor();
    secret = (await shown.locator('#new-key-value').textContent()) ?? '';
    expect(secret).toMatch(/^sk-/);
    await screenshot(page, 'key-created');
    const who = await apiJson('/auth/whoami', secret);
    expect(who.body).toMatchObject({ role: 'spend_reader', key: { key_alias: 'ci-robot', team_id: 'prod' } });
    token = (who.body.key as { token: string }).token;
    const info = (await apiJson(`/key/info?key=${token}`)).body.info as Record<string, unknown>;
    expect(info).toMatchObject({
      key_alias: 'ci-robot',
      team_id: 'prod',
      models: ['cheap-chat'],
      max_budget: 5.5,
      soft_budget: 4,
      budget_duration: '30d',
      tpm_limit: 1000,
      rpm_limit: 60,
      max_parallel_requests: 2,
      permissions: { get_spend_routes: true },
      tags: ['ci', 'robots'],
      metadata: { owner: 'platform' },
    });
    expect(info.expires).toBeTruthy();
    // Closing the dialog forgets the key: it is nowhere in the page any more.
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    await row('#keys-table', 'ci-robot').waitFor();
    expect(await row('#keys-table', 'ci-robot').locator('td.spend .money').allTextContents()).toEqual([
      '$0.00',
      '$5.50',
    ]);
  });

  it('shows spend against budget, and an edit sends only what changed', async () => {
    const s = await h.chat(secret, 'cheap-chat', 'acme-corp', [], 'a request that costs something');
    expect(s.status).toBe(200);
    await h.t.gw.ledger.flush();
    const before = (await apiJson(`/key/info?key=${token}`)).body.info as Record<string, unknown>;
    await page.reload();
    await row('#keys-table', 'ci-robot').waitFor();
    expect(
      await row('#keys-table', 'ci-robot').locator('td.spend .money').first().getAttribute('data-value'),
    ).toBe(s.cost);
    await page.getByRole('button', { name: 'Edit ci-robot' }).click();
    const d = dialog('Edit ci-robot');
    await d.getByLabel('Max budget (USD)').fill('7.25');
    await d.getByRole('button', { name: 'Save changes' }).click();
    await d.waitFor({ state: 'detached' });
    const after = (await apiJson(`/key/info?key=${token}`)).body.info as Record<string, unknown>;
    expect(after.max_budget).toBe(7.25);
    // budget_duration was not re-sent, so the budget period did not restart.
    expect(after.budget_reset_at).toBe(before.budget_reset_at);
    expect(after.permissions).toEqual({ get_spend_routes: true });
  });

  it('regenerates (new key once, old one refused, spend carried over), blocks, unblocks and deletes', async () => {
    const spendBefore = ((await apiJson(`/key/info?key=${token}`)).body.info as { spend: number }).spend;
    await page.getByRole('button', { name: 'Regenerate ci-robot' }).click();
    await dialog('Regenerate ci-robot?').getByRole('button', { name: 'Regenerate' }).click();
    const shown = dialog('Key regenerated');
    await shown.waitFor();
    const fresh = (await shown.locator('#new-key-value').textContent()) ?? '';
    expect(fresh).toMatch(/^sk-/);
    expect(fresh).not.toBe(secret);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    expect((await apiJson('/auth/whoami', secret)).status).toBe(401);
    const who = await apiJson('/auth/whoami', fresh);
    expect(who.status).toBe(200);
    token = (who.body.key as { token: string }).token;
    expect(((await apiJson(`/key/info?key=${token}`)).body.info as { spend: number }).spend).toBe(
      spendBefore,
    );

    await page.getByRole('button', { name: 'Block ci-robot' }).click();
    await row('#keys-table', 'ci-robot').locator('td.result', { hasText: 'blocked' }).waitFor();
    const blocked = await apiJson('/auth/whoami', fresh);
    expect(blocked.status).toBe(403);
    expect(blocked.text).toContain('blocked_api_key');
    await page.getByRole('button', { name: 'Unblock ci-robot' }).click();
    await row('#keys-table', 'ci-robot').locator('td.result', { hasText: 'active' }).waitFor();
    expect((await apiJson('/auth/whoami', fresh)).status).toBe(200);
    await screenshot(page, 'keys');

    await page.getByRole('button', { name: 'Delete ci-robot' }).click();
    await dialog('Delete ci-robot?').getByRole('button', { name: 'Delete key' }).click();
    await row('#keys-table', 'ci-robot').waitFor({ state: 'detached' });
    expect((await apiJson('/auth/whoami', fresh)).status).toBe(401);
  });

  it('refuses a bad value in the form, naming the field, and sends nothing', async () => {
    await page.locator('#create-key').click();
    const d = dialog('Create a key');
    await d.getByLabel('Alias', { exact: true }).fill('bad-budget');
    await d.getByLabel('Max budget (USD)').fill('-3');
    await d.getByRole('button', { name: 'Create key' }).click();
    expect(await d.locator('#fld-max_budget-error').textContent()).toContain('enter an amount in USD');
    expect(await d.getByLabel('Max budget (USD)').evaluate((el) => el.getAttribute('aria-invalid'))).toBe(
      'true',
    );
    expect(
      await d
        .getByLabel('Max budget (USD)')
        .evaluate(
          (el) =>
            el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
        ),
    ).toBe(true);
    await d.getByRole('button', { name: 'Cancel' }).click();
    expect(
      ((await apiJson('/key/list?key_alias=bad-budget')).body as { total_count: number }).total_count,
    ).toBe(0);
  });
});

describe('Teams, users and customers pages', () => {
  it('creates a team, edits its budget exactly, manages members, blocks and deletes it', async () => {
    await goTo(page, '#/teams');
    await page.getByRole('button', { name: 'Create team' }).click();
    const d = dialog('Create a team');
    await d.getByLabel('Name', { exact: true }).fill('Research');
    await d.getByLabel('Team id').fill('research');
    await d.getByLabel('Max budget (USD)').fill('100');
    await d.getByRole('button', { name: 'Create team' }).click();
    await row('#teams-table', 'Research').waitFor();
    // 23 significant digits: a float would round it; the gateway and the page keep every one.
    const exact = '12.345678901234567890123';
    await page.getByRole('button', { name: 'Edit Research' }).click();
    const e = dialog('Edit Research');
    await e.getByLabel('Max budget (USD)').fill(exact);
    await e.getByRole('button', { name: 'Save changes' }).click();
    await e.waitFor({ state: 'detached' });
    const info = await apiJson('/team/info?team_id=research');
    expect(info.text).toContain(`"max_budget":${exact}`);
    await expect
      .poll(() =>
        row('#teams-table', 'Research').locator('td.spend .money').nth(1).getAttribute('data-value'),
      )
      .toBe(exact);
    expect(await row('#teams-table', 'Research').locator('td.spend .money').nth(1).textContent()).toBe(
      `$${exact}`,
    );

    await page.getByRole('button', { name: 'Members of Research' }).click();
    const m = dialog('Members of Research');
    await m.getByLabel('User id or email').fill('alice@example.com');
    await m.getByLabel('Role').selectOption('admin');
    await m.getByRole('button', { name: 'Add member' }).click();
    await m.locator('#members-table tbody tr', { hasText: 'alice@example.com' }).waitFor();
    const members = (await apiJson('/team/info?team_id=research')).body.team_info as {
      members_with_roles: Array<{ user_email: string; role: string }>;
    };
    expect(members.members_with_roles).toMatchObject([{ user_email: 'alice@example.com', role: 'admin' }]);
    await screenshot(page, 'team-members');
    const aliceId = (await m.locator('#members-table tbody th').first().textContent()) ?? '';
    await m.getByRole('button', { name: `Remove ${aliceId} from the team` }).click();
    await m
      .locator('#members-table tbody tr', { hasText: 'alice@example.com' })
      .waitFor({ state: 'detached' });
    await m.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Block Research' }).click();
    await row('#teams-table', 'Research').locator('td.result', { hasText: 'blocked' }).waitFor();
    expect(
      ((await apiJson('/team/info?team_id=research')).body.team_info as { blocked: boolean }).blocked,
    ).toBe(true);
    await page.getByRole('button', { name: 'Unblock Research' }).click();
    await row('#teams-table', 'Research').locator('td.result', { hasText: 'active' }).waitFor();
    await screenshot(page, 'teams');
    await page.getByRole('button', { name: 'Delete Research' }).click();
    await dialog('Delete Research?').getByRole('button', { name: 'Delete team and its keys' }).click();
    await row('#teams-table', 'Research').waitFor({ state: 'detached' });
    expect((await apiJson('/team/info?team_id=research')).status).toBe(404);
  });

  it('creates a user with a first key (shown once), edits the budget, deletes the user', async () => {
    await goTo(page, '#/users');
    await page.getByRole('button', { name: 'Create user' }).click();
    const d = dialog('Create an internal user');
    await d.getByLabel('User id').fill('bob');
    await d.getByLabel('Email').fill('bob@example.com');
    await d.getByLabel('Max budget (USD)').fill('3');
    await d.getByLabel('Key alias').fill('bob-key');
    await d.getByRole('button', { name: 'Create user' }).click();
    const shown = dialog('User created with a key');
    const key = (await shown.locator('#new-key-value').textContent()) ?? '';
    expect((await apiJson('/auth/whoami', key)).body).toMatchObject({
      role: 'key',
      key: { user_id: 'bob', key_alias: 'bob-key' },
    });
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await row('#users-table', 'bob@example.com').waitFor();
    await page.getByRole('button', { name: 'Edit bob@example.com' }).click();
    const e = dialog('Edit bob@example.com');
    await e.getByLabel('Max budget (USD)').fill('4.125');
    await e.getByRole('button', { name: 'Save changes' }).click();
    await e.waitFor({ state: 'detached' });
    expect(
      ((await apiJson('/user/info?user_id=bob')).body.user_info as { max_budget: number }).max_budget,
    ).toBe(4.125);
    await screenshot(page, 'users');
    await page.getByRole('button', { name: 'Delete bob@example.com' }).click();
    await dialog('Delete bob@example.com?')
      .getByRole('button', { name: 'Delete user and their keys' })
      .click();
    await row('#users-table', 'bob@example.com').waitFor({ state: 'detached' });
    expect((await apiJson('/auth/whoami', key)).status).toBe(401);
  });

  it('creates a customer, edits its budget, blocks and unblocks, deletes it', async () => {
    await goTo(page, '#/customers');
    await page.getByRole('button', { name: 'Create customer' }).click();
    const d = dialog('Create a customer');
    await d.getByLabel('Customer id').fill('acme-corp');
    await d.getByLabel('Name', { exact: true }).fill('ACME');
    await d.getByLabel('Max budget (USD)').fill('2.5');
    await d.getByRole('button', { name: 'Create customer' }).click();
    await row('#customers-table', 'ACME').waitFor();
    await page.getByRole('button', { name: 'Edit ACME' }).click();
    const e = dialog('Edit ACME');
    await e.getByLabel('Max budget (USD)').fill('3.75');
    await e.getByRole('button', { name: 'Save changes' }).click();
    await e.waitFor({ state: 'detached' });
    expect((await apiJson('/customer/info?end_user_id=acme-corp')).body).toMatchObject({
      max_budget: 3.75,
      alias: 'ACME',
    });
    await page.getByRole('button', { name: 'Block ACME' }).click();
    await row('#customers-table', 'ACME').locator('td.result', { hasText: 'blocked' }).waitFor();
    const refused = await h.post('/v1/chat/completions', MASTER, {
      model: 'cheap-chat',
      user: 'acme-corp',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();
    await page.getByRole('button', { name: 'Unblock ACME' }).click();
    await row('#customers-table', 'ACME').locator('td.result', { hasText: 'active' }).waitFor();
    await screenshot(page, 'customers');
    await page.getByRole('button', { name: 'Delete ACME' }).click();
    await dialog('Delete ACME?').getByRole('button', { name: 'Delete customer' }).click();
    await row('#customers-table', 'ACME').waitFor({ state: 'detached' });
    expect((await apiJson('/customer/info?end_user_id=acme-corp')).status).toBe(404);
  });
});

describe('Models & pricing page', () => {
  it('shows effective prices and their source, calculates a cost exactly, searches the cost map', async () => {
    await goTo(page, '#/models');
    const cheap = page.locator('#deployments-table tr[data-model-group="cheap-chat"]');
    await cheap.waitFor();
    const input = cheap.locator('li[data-price-key="input_cost_per_token"]');
    expect(await input.locator('.money').first().getAttribute('data-value')).toBe('0.0000013');
    // 0.0000013 USD per token = 1.3 USD per million tokens (an exact decimal shift).
    expect(await input.textContent()).toContain('($1.30 / 1M)');
    expect(await input.textContent()).toContain('from custom');
    expect(
      await page.locator('#deployments-table tr[data-model-group="private-llm"] .badge').textContent(),
    ).toBe('unpriced');

    await page.getByLabel('Model group').selectOption('cheap-chat');
    await page.getByLabel('Prompt tokens (all input, cached included)').fill('1000');
    await page.getByLabel('of which cache read').fill('200');
    await page.getByLabel('Completion tokens (reasoning included)').fill('500');
    await page.getByRole('button', { name: 'Calculate' }).click();
    const total = page.locator('.calc-result .calc-total');
    await total.waitFor();
    // 800 × 0.0000013 = 0.00104; 200 × 0.00000065 = 0.00013; 500 × 0.0000027 = 0.00135; sum 0.00252
    expect(await total.getAttribute('data-value')).toBe('0.00252');
    expect(
      await page
        .locator('#calc-0-lines tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.querySelectorAll('.money')[1].getAttribute('data-value'))),
    ).toEqual(['0.00104', '0.00013', '0.00135']);

    await page.getByLabel('Model name contains').fill('gpt-4o-mini');
    await page.getByRole('button', { name: 'Search' }).click();
    const first = page.locator('#catalog-table tbody tr').first();
    await first.waitFor();
    expect(await first.getAttribute('data-entry')).toBe('gpt-4o-mini');
    // The cost map's 1.5e-7 shown as exact decimal text, with its per-million price.
    expect(await first.locator('td').nth(1).textContent()).toBe('$0.00000015 ($0.15 / 1M)');
    await screenshot(page, 'models');
    expect(problems).toEqual([]);
  });
});
