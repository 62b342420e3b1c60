/**
 * @module cli/reprice-command
 * `tollgate reprice --from … --to … [--model …] [--team …] [--prices FILE] [--config CONFIG] [--dry-run]
 * [--resume RUN_ID] [--workers N] [--json | --csv]`: re-prices stored spend rows and prints the diff report; without
 * --dry-run the change is applied (rows, rollups, totals and an audit record, chunk by chunk).
 */
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { PriceVersionRegistry, registerBuiltinVersions } from '../pricing/index.js';
import { diffReportCsv } from '../reprice/diff-report.js';
import { type PriceFile, priceFileFromJson } from '../reprice/price-file.js';
import { type RepriceResult, reprice } from '../reprice/reprice-run.js';
import { pricingTargets } from '../reprice/targets.js';
import type { Db } from '../store/db.js';

export interface RepriceCommandOptions {
  db: Db;
  from: string;
  to: string;
  model?: string;
  team?: string;
  pricesPath?: string;
  configPath?: string;
  dryRun: boolean;
  resume?: string;
  /** Day slices applied at the same time (PostgreSQL). */
  workers?: number;
  format: 'table' | 'json' | 'csv';
  actor?: string;
}

export async function repriceCommand(o: RepriceCommandOptions): Promise<string> {
  const versions = new PriceVersionRegistry();
  registerBuiltinVersions(versions);
  const targets = o.configPath ? pricingTargets(loadConfigFile(o.configPath).deployments) : new Map();
  let prices: PriceFile | undefined;
  if (o.pricesPath) prices = priceFileFromJson(o.pricesPath, readFileSync(o.pricesPath, 'utf8'));
  const result = await reprice({
    db: o.db,
    versions,
    targets,
    from: o.from,
    to: o.to,
    model: o.model,
    team: o.team,
    prices,
    dryRun: o.dryRun,
    resume: o.resume,
    workers: o.workers,
    actor: o.actor ?? `cli:${process.env.USER ?? 'unknown'}`,
  });
  if (o.format === 'json') return JSON.stringify(result, null, 2);
  if (o.format === 'csv') return diffReportCsv(result).trimEnd();
  return formatResult(result);
}

function formatResult(r: RepriceResult): string {
  const out: string[] = [];
  const s = r.selection;
  out.push(
    `${r.dry_run ? 'DRY RUN — nothing written' : `applied, run ${r.run_id}`}: ${s.from} … ${s.to}` +
      `${s.model ? ` model=${s.model}` : ''}${s.team ? ` team=${s.team}` : ''}` +
      ` prices=${r.prices ? `${r.prices.source} (sha256 ${r.prices.sha256.slice(0, 12)})` : 'price versions in effect'}`,
  );
  out.push(
    `rows: ${r.rows.examined} examined, ${r.rows.changed} changed, ${r.rows.unchanged} unchanged, ${r.rows.skipped} skipped`,
  );
  for (const [reason, n] of Object.entries(r.skipped_reasons)) out.push(`  skipped ${n}: ${reason}`);
  out.push(`total: ${r.totals.before} → ${r.totals.after} USD (${r.totals.delta})`);
  for (const [title, rows] of [
    ['by key', r.by_key],
    ['by team', r.by_team],
    ['by model', r.by_model],
  ] as const) {
    if (rows.length === 0) continue;
    out.push(title);
    for (const g of rows.slice(0, 20))
      out.push(`  ${g.label ?? (g.id || '(none)')}: ${g.rows} rows, ${g.before} → ${g.after} (${g.delta})`);
    if (rows.length > 20) out.push(`  … ${rows.length - 20} more (use --csv)`);
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
