/**
 * `tollgate reprice` as a user runs it against PostgreSQL: a dry run as JSON, then the apply, then a bad
 * date refused with a reason (exit 2).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { openTestDb, type TestDb } from './support/ledger-db.js';
import { makeSpendEvent } from './support/ledger-events.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-reprice-cli-'));
const PRICES = join(dir, 'prices.json');
writeFileSync(
  PRICES,
  JSON.stringify({
    'gpt-4o': {
      litellm_provider: 'openai',
      mode: 'chat',
      input_cost_per_token: 0.000002,
      output_cost_per_token: 0.000008,
    },
  }),
);

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb('postgres');
  const at = Date.UTC(2025, 0, 10, 12);
  // 1000 × 0.0000025 + 100 × 0.00001 = 0.0035 each (the built-in gpt-4o price)
  await writeSpendBatch(
    t.db,
    ['c1', 'c2'].map((id) =>
      makeSpendEvent({
        requestId: id,
        startTime: at,
        endTime: at + 1,
        spend: '0.0035',
        promptTokens: 1000,
        completionTokens: 100,
        totalTokens: 1100,
        usage: { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 },
      }),
    ),
  );
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function tollgate(args: string[]) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], {
      cwd: ROOT,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tollgate reprice', () => {
  it('dry run (JSON), then apply (table): 2 × (1000 × 0.000002 + 100 × 0.000008) = 0.0056', async () => {
    const common = [
      'reprice',
      '--from',
      '2025-01-01',
      '--to',
      '2025-01-31',
      '--prices',
      PRICES,
      '--database-url',
      t.url!,
    ];
    const dry = await tollgate([...common, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const r = JSON.parse(dry.stdout);
    expect(r.totals).toEqual({ before: '0.007', after: '0.0056', delta: '-0.0014' });
    const applied = await tollgate(common);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^applied, run rp_\w+: 2025-01-01 … 2025-01-31 prices=.*prices\.json/m);
    expect(applied.stdout).toContain('total: 0.007 → 0.0056 USD (-0.0014)');
    const rows = await t.db.query<{ s: string }>('SELECT sum(spend)::text AS s FROM tg_spend_logs');
    expect(formatMoney(parseMoney(rows.rows[0].s))).toBe('0.0056');
  });

  it('a bad date is refused with a reason', async () => {
    const r = await tollgate([
      'reprice',
      '--from',
      '2025-1-1',
      '--to',
      '2025-01-31',
      '--database-url',
      t.url!,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from must be a date YYYY-MM-DD/);
  });
});
