import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSpendBatch } from '../ledger/batch-writer.js';
import { parseExactJson } from '../pricing/exact-json.js';
import { FOCUS_COLUMNS } from '../reports/focus.js';
import { makeEvent } from '../reports/synthetic.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import { renderTable, spendExportCommand, spendReportCommand } from './spend-commands.js';

describe('spend CLI commands (PGlite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openStore({});
    await db.query(`INSERT INTO tg_teams (team_id, team_alias) VALUES ('t1', 'Prod Team')`);
    await writeSpendBatch(db, [
      makeEvent({
        requestId: 'c1',
        teamId: 't1',
        apiKey: 'a'.repeat(64),
        endUser: 'acme',
        requestTags: ['x'],
        spend: '0.1',
        promptTokens: 10,
        completionTokens: 5,
        totalTokens: 15,
        startTime: Date.parse('2024-05-01T10:00:00Z'),
      }),
      makeEvent({
        requestId: 'c2',
        teamId: 't1',
        apiKey: 'a'.repeat(64),
        spend: '0.2',
        promptTokens: 1,
        completionTokens: 1,
        totalTokens: 2,
        startTime: Date.parse('2024-05-02T23:30:00Z'),
      }),
      makeEvent({
        requestId: 'c3',
        spend: '0.0000001',
        model: 'claude',
        modelGroup: 'claude',
        provider: 'anthropic',
        startTime: Date.parse('2024-05-02T01:00:00Z'),
      }),
      makeEvent({ requestId: 'c4', teamId: 't1', spend: '5', startTime: Date.parse('2024-05-03T00:00:00Z') }),
    ]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('report as a table with names and an exact total', async () => {
    const out = await spendReportCommand({
      db,
      groupBy: 'team',
      from: '2024-05-01',
      to: '2024-05-02',
      format: 'table',
    });
    expect(out).toContain('Spend by team from 2024-05-01 to 2024-05-02 (inclusive, UTC)');
    expect(out).toMatch(/t1\s+Prod Team\s+0\.3\s+2/);
    expect(out).toMatch(/-\s+-\s+0\.0000001\s+1/);
    expect(out).toContain('Total: 0.3000001 USD, 3 requests');
  });

  it('report as JSON and CSV; combined group_by; time zone shifts days', async () => {
    const json = parseExactJson(
      await spendReportCommand({
        db,
        groupBy: 'team,model',
        from: '2024-05-01',
        to: '2024-05-02',
        format: 'json',
      }),
    ) as { totals: { spend: string }; series: { group: object; spend: string }[] };
    expect(json.totals.spend).toBe('0.3000001');
    expect(json.series[0]).toMatchObject({ group: { team: 't1', model: 'gpt-4o' }, spend: '0.3' });
    const csv = await spendReportCommand({
      db,
      groupBy: 'customer',
      from: '2024-05-01',
      to: '2024-05-02',
      format: 'csv',
    });
    expect(csv).toBe(
      'customer,spend,requests,prompt_tokens,completion_tokens,total_tokens\r\n,0.2000001,2,1,1,2\r\nacme,0.1,1,10,5,15\r\n',
    );
    // 2024-05-02T23:30Z is already 2024-05-03 in Tokyo, and c4 (05-03 00:00Z) too.
    const tokyo = await spendReportCommand({
      db,
      groupBy: 'team',
      from: '2024-05-03',
      to: '2024-05-03',
      format: 'csv',
      timezone: 'Asia/Tokyo',
    });
    expect(tokyo).toContain('t1,Prod Team,5.2,2,');
  });

  it('rejects bad input clearly', async () => {
    await expect(
      spendReportCommand({ db, groupBy: 'team', from: '2024-05-03', to: '2024-05-01', format: 'table' }),
    ).rejects.toThrow(/--to 2024-05-01 is before --from 2024-05-03/);
    await expect(
      spendReportCommand({ db, groupBy: 'planet', from: '2024-05-01', to: '2024-05-01', format: 'table' }),
    ).rejects.toThrow(/Unknown group_by "planet"/);
    await expect(
      spendExportCommand({ db, format: 'xml' as 'csv', from: '2024-05-01', to: '2024-05-01' }),
    ).rejects.toThrow(/Unknown export format "xml"/);
    await expect(
      spendExportCommand({ db, format: 'focus', from: '2024-5-1', to: '2024-05-01' }),
    ).rejects.toThrow(/Invalid --from/);
  });

  it('FOCUS export: 1.0 columns, exact costs, charge periods, tags', async () => {
    const csv = await spendExportCommand({ db, format: 'focus', from: '2024-05-01', to: '2024-05-02' });
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(FOCUS_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    const col = (line: string, name: string) => {
      // Parse one CSV line (quoted fields with doubled quotes).
      const cells: string[] = [];
      let i = 0;
      while (i <= line.length) {
        if (line[i] === '"') {
          let j = i + 1;
          let v = '';
          while (j < line.length) {
            if (line[j] === '"' && line[j + 1] === '"') {
              v += '"';
              j += 2;
            } else if (line[j] === '"') break;
            else v += line[j++];
          }
          cells.push(v);
          i = j + 2;
        } else {
          const j = line.indexOf(',', i);
          cells.push(line.slice(i, j < 0 ? line.length : j));
          i = j < 0 ? line.length + 1 : j + 1;
        }
      }
      return cells[FOCUS_COLUMNS.indexOf(name as (typeof FOCUS_COLUMNS)[number])];
    };
    const first = lines[1];
    expect(col(first, 'BilledCost')).toBe('0.1');
    expect(col(first, 'EffectiveCost')).toBe('0.1');
    expect(col(first, 'ListCost')).toBe('0.1');
    expect(col(first, 'BillingCurrency')).toBe('USD');
    expect(col(first, 'ChargePeriodStart')).toBe('2024-05-01T10:00:00Z');
    expect(col(first, 'ChargePeriodEnd')).toBe('2024-05-01T11:00:00Z');
    expect(col(first, 'BillingPeriodStart')).toBe('2024-05-01T00:00:00Z');
    expect(col(first, 'BillingPeriodEnd')).toBe('2024-06-01T00:00:00Z');
    expect(col(first, 'ChargeCategory')).toBe('Usage');
    expect(col(first, 'ServiceCategory')).toBe('AI and Machine Learning');
    expect(col(first, 'ResourceId')).toBe('gpt-4o-2024-08-06');
    expect(col(first, 'SkuId')).toBe('openai/gpt-4o-2024-08-06');
    expect(col(first, 'ConsumedQuantity')).toBe('15');
    expect(col(first, 'ConsumedUnit')).toBe('Tokens');
    expect(col(first, 'SubAccountName')).toBe('Prod Team');
    expect(JSON.parse(col(first, 'Tags'))).toEqual({
      'tollgate/api_key': 'a'.repeat(64),
      'tollgate/team_id': 't1',
      'tollgate/customer': 'acme',
      'tollgate/model_group': 'gpt-4o',
    });
    const claude = lines.find((l) => l.includes('anthropic/claude'))!;
    expect(col(claude, 'BilledCost')).toBe('0.0000001');
  });

  it('CSV export of the logs, oldest first, inclusive end date', async () => {
    const csv = await spendExportCommand({ db, format: 'csv', from: '2024-05-01', to: '2024-05-02' });
    const lines = csv.trim().split('\r\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['c1', 'c3', 'c2']);
    expect(lines[1]).toContain(',0.1,');
  });

  it('renders aligned tables', () => {
    expect(
      renderTable({
        columns: ['a', 'n'],
        rows: [
          ['x', 1],
          ['long', 100],
        ],
      }),
    ).toBe('a       n\n----  ---\nx       1\nlong  100');
  });
});
