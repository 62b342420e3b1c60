/**
 * @module cli/pricing-commands
 * `tollgate pricing explain --config FILE [MODEL_NAME]` (every deployment's effective prices and where each
 * came from) and `tollgate cost --model M --input N --output N …` (price one usage). Both return printable text.
 */

import { join } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { CostMapManager } from '../cost-map/index.js';
import {
  buildRuntimes,
  type DeploymentRuntime,
  type DisabledRuntime,
} from '../gateway/deployment-runtime.js';
import {
  builtinCatalog,
  type Catalog,
  closestMatches,
  costToJSON,
  emptyUsage,
  formatMoney,
  priceUsage,
  type ResolvedPricing,
  resolvePricing,
  splitProvider,
} from '../pricing/index.js';

export interface PricingExplainOptions {
  configPath: string;
  modelName?: string;
  json?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The gateway's data directory (its cached cost map); default `.tollgate`. */
  dataDir?: string;
  /** As `tollgate --strict`: deployment problems are errors of the config. */
  strict?: boolean;
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '))
    .join('\n');
}

/** USD per million for per-token keys (exact, shortest form), else ''. */
function perMillion(key: string, price: bigint): string {
  return /(_per_token|_token_cost)/.test(key) && !/_per_1k_/.test(key) ? formatMoney(price * 1_000_000n) : '';
}

function pricesJSON(resolved: ResolvedPricing): Record<string, unknown> {
  return {
    source: resolved.source,
    entry_key: resolved.entryKey,
    unpriced: resolved.unpriced,
    mode: resolved.mode,
    max_input_tokens: resolved.maxInputTokens,
    max_output_tokens: resolved.maxOutputTokens,
    prices: Object.fromEntries(
      Object.entries(resolved.prices).map(([k, v]) => [
        k,
        { usd: formatMoney(v), origin: resolved.origins[k] },
      ]),
    ),
    ...(resolved.imageVariants
      ? {
          image_variants: Object.fromEntries(
            Object.entries(resolved.imageVariants).map(([id, v]) => [
              id,
              {
                entry_key: v.entryKey,
                prices: Object.fromEntries(Object.entries(v.prices).map(([k, p]) => [k, formatMoney(p)])),
              },
            ]),
          ),
        }
      : {}),
    warnings: resolved.warnings,
  };
}

function priceLines(resolved: ResolvedPricing, out: string[]): void {
  out.push(`  source: ${resolved.source}${resolved.mode ? `  mode: ${resolved.mode}` : ''}`);
  const keys = Object.keys(resolved.prices).sort();
  if (keys.length > 0) {
    const rows = [['KEY', 'USD/UNIT', 'USD/1M', 'FROM']];
    for (const k of keys) {
      const p = resolved.prices[k];
      rows.push([k, formatMoney(p), perMillion(k, p), resolved.origins[k] ?? '']);
    }
    out.push(table(rows));
  }
  if (resolved.imageVariants) {
    const rows = [['IMAGE VARIANT', 'PRICES', 'FROM']];
    for (const [id, v] of Object.entries(resolved.imageVariants).sort()) {
      rows.push([
        id,
        Object.entries(v.prices)
          .map(([k, p]) => `${k}=${formatMoney(p)}`)
          .join(' '),
        `catalog:${v.entryKey}`,
      ]);
    }
    out.push(table(rows));
  }
  if (resolved.unpriced) out.push('  UNPRICED: requests are recorded with cost 0, flagged as unpriced');
  for (const w of resolved.warnings) out.push(`  warning: ${w}`);
}

export interface PricingExplainResult {
  text: string;
  /** Deployments the gateway would not serve (disabled) plus errors that would refuse its start. */
  errors: number;
}

/**
 * What the gateway would do with this config, decided by the same code (buildRuntimes): the prices of every
 * deployment it serves, and every deployment it would disable, with the reason.
 */
export async function pricingExplain(opts: PricingExplainOptions): Promise<PricingExplainResult> {
  const env = opts.env ?? process.env;
  const config = loadConfigFile(opts.configPath, env, { strict: opts.strict });
  // No network here: a file map is read, a URL map (the default public one too) is taken from the cache the
  // gateway keeps in its data directory, else the built-in catalog — the prices that gateway would use now.
  const manager = new CostMapManager({
    location: config.generalSettings.costMap,
    env,
    cacheDir: join(opts.dataDir ?? '.tollgate', 'cost-map'),
  });
  const reload = await manager.loadLocal();
  const catalog = manager.current();
  const built = buildRuntimes(config, catalog, { strict: opts.strict });
  let served: DeploymentRuntime[] = [...built.runtimes, ...built.wildcards].sort(
    (a, b) => a.config.index - b.config.index,
  );
  let disabled: DisabledRuntime[] = built.disabled;
  if (opts.modelName !== undefined) {
    const wanted = opts.modelName;
    served = served.filter((rt) => rt.modelName === wanted);
    disabled = disabled.filter((d) => d.modelName === wanted);
    if (served.length === 0 && disabled.length === 0) {
      const names = [...new Set(config.deployments.map((d) => d.modelName))];
      const near = closestMatches(wanted, names, 3);
      throw new Error(
        `no deployment with model_name "${wanted}" in ${opts.configPath}${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(', ')}?)` : ''}`,
      );
    }
  }
  const errors = built.errors.length + disabled.length;

  if (opts.json) {
    const text = JSON.stringify(
      {
        catalog: { source: catalog.source, snapshot: catalog.snapshot, size: catalog.size },
        warnings: reload.warnings,
        ...(built.errors.length ? { errors: built.errors } : {}),
        deployments: served.map((rt) => ({
          model_name: rt.modelName,
          id: rt.config.id,
          model: rt.config.model,
          provider: rt.config.provider,
          api_base: rt.apiBase,
          supported_call_types: [...rt.callTypes],
          config_problems: rt.configProblems,
          ...pricesJSON(rt.pricing),
        })),
        disabled: disabled.map((d) => ({
          model_name: d.modelName ?? null,
          model: d.model ?? null,
          where: d.where,
          reasons: d.why,
        })),
      },
      null,
      2,
    );
    return { text, errors };
  }

  const out: string[] = [
    `Price catalog: ${catalog.source} (snapshot ${catalog.snapshot}, ${catalog.size} models)`,
  ];
  for (const w of reload.warnings) out.push(`warning: ${w}`);
  for (const e of built.errors) out.push(`ERROR: ${e}`);
  for (const rt of served) {
    out.push('');
    out.push(`${rt.modelName}  (${rt.config.model})`);
    out.push(`  serves: ${[...rt.callTypes].join(', ')}`);
    for (const p of rt.configProblems)
      out.push(`  CONFIG: ${p} (every call to it fails until this is fixed)`);
    priceLines(rt.pricing, out);
  }
  for (const d of disabled) {
    out.push('');
    out.push(`${d.modelName ?? '(no model_name)'}  (${d.model ?? '?'})  ${d.where}`);
    out.push('  serves: nothing — DISABLED: the gateway answers its model with a 400 naming this reason');
    for (const w of d.why) out.push(`  ERROR: ${w}`);
  }
  if (errors > 0) {
    out.push('');
    out.push(
      `${errors} problem${errors === 1 ? '' : 's'}: fix config.yaml (\`tollgate --strict\` refuses to start on them)`,
    );
  }
  return { text: out.join('\n'), errors };
}

/** The text of `pricing explain` (see pricingExplain for the exit status). */
export async function pricingExplainCommand(opts: PricingExplainOptions): Promise<string> {
  return (await pricingExplain(opts)).text;
}

export interface CostCommandOptions {
  model: string;
  input: number;
  output: number;
  cached?: number;
  cacheWrite?: number;
  reasoning?: number;
  seconds?: number;
  /** Of cacheWrite, how many are 1-hour cache writes. */
  cacheWrite1h?: number;
  /** `flex` | `priority` (other tiers are the standard price). */
  serviceTier?: string;
  batch?: boolean;
  json?: boolean;
  /** Catalog to use (default: the built-in one). */
  catalog?: Catalog;
}

function count(name: string, v: number | undefined): number {
  const n = v ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got ${v}`);
  return n;
}

/** Prices one usage. `input` counts every prompt token, cached and cache-write ones included. */
export function costCommand(opts: CostCommandOptions): string {
  const catalog = opts.catalog ?? builtinCatalog();
  const input = count('input', opts.input);
  const output = count('output', opts.output);
  const cached = count('cached', opts.cached);
  const cacheWrite = count('cache-write', opts.cacheWrite);
  const reasoning = count('reasoning', opts.reasoning);
  const seconds = opts.seconds ?? 0;
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new Error(`--seconds must be >= 0, got ${opts.seconds}`);
  if (cached + cacheWrite > input)
    throw new Error(
      `--cached + --cache-write (${cached + cacheWrite}) exceed --input (${input}), which includes them`,
    );
  if (reasoning > output)
    throw new Error(`--reasoning (${reasoning}) exceeds --output (${output}), which includes it`);
  const write1h = count('cache-write-1h', opts.cacheWrite1h);
  if (write1h > cacheWrite)
    throw new Error(`--cache-write-1h (${write1h}) exceeds --cache-write (${cacheWrite}), which includes it`);

  const { provider } = splitProvider(opts.model);
  const resolved = resolvePricing({ name: opts.model, model: opts.model, provider }, catalog);
  const usage = {
    ...emptyUsage(),
    inputTokens: input,
    cacheReadTokens: cached,
    cacheWriteTokens: cacheWrite,
    outputTokens: output,
    reasoningTokens: reasoning,
    durationMs: Math.round(seconds * 1000),
    ...(write1h > 0 ? { cacheWrite1hTokens: write1h } : {}),
    ...(opts.serviceTier ? { serviceTier: opts.serviceTier } : {}),
    ...(opts.batch ? { batch: true } : {}),
  };
  const cost = priceUsage(resolved, usage);
  const suggestions = resolved.unpriced ? closestMatches(opts.model, catalog.keys(), 3) : [];
  if (opts.json) {
    return JSON.stringify(
      {
        model: opts.model,
        catalog: { source: catalog.source, snapshot: catalog.snapshot },
        ...costToJSON(cost),
        ...(suggestions.length ? { suggestions } : {}),
      },
      null,
      2,
    );
  }
  const out = [
    `${opts.model}  source: ${cost.source}${cost.tier ? `  tier: ${cost.tier}` : ''}` +
      `${cost.serviceTier ? `  service tier: ${cost.serviceTier}` : ''}${cost.batch ? '  batch' : ''}`,
  ];
  if (cost.unpriced) {
    out.push(
      `  not in the price catalog (${catalog.source}, snapshot ${catalog.snapshot}): cost 0, unpriced`,
    );
    if (suggestions.length) out.push(`  did you mean: ${suggestions.join(', ')}`);
    return out.join('\n');
  }
  const rows = [['CLASS', 'QUANTITY', 'UNIT PRICE', 'KEY', 'AMOUNT']];
  for (const l of cost.lines) {
    rows.push([
      l.kind,
      `${l.quantity} ${l.unit}`,
      formatMoney(l.unitPrice),
      l.priceKey,
      formatMoney(l.amount),
    ]);
  }
  if (cost.lines.length > 0) out.push(table(rows));
  for (const l of cost.lines) if (l.note) out.push(`  note (${l.kind}): ${l.note}`);
  for (const p of cost.unpricedParts) out.push(`  UNPRICED ${p.kind}: ${p.quantity} ${p.unit} (${p.reason})`);
  for (const w of cost.warnings) out.push(`  warning: ${w}`);
  out.push(`  total: ${formatMoney(cost.costUsd)} USD`);
  return out.join('\n');
}
