/**
 * @module pricing/explain
 * A cost as JSON (money as exact decimal strings) and as one readable line for the debug log: source,
 * unit prices, quantity per class, amount per line, total.
 */
import type { Cost } from './cost.js';
import { formatMoney } from './money.js';

/** JSON form of a cost; every amount and unit price is an exact decimal string. */
export function costToJSON(cost: Cost): Record<string, unknown> {
  return {
    costUsd: formatMoney(cost.costUsd),
    source: cost.source,
    unpriced: cost.unpriced,
    tier: cost.tier,
    lines: cost.lines.map((l) => ({
      kind: l.kind,
      quantity: l.quantity,
      unit: l.unit,
      priceKey: l.priceKey,
      unitPrice: formatMoney(l.unitPrice),
      amount: formatMoney(l.amount),
      ...(l.note !== undefined ? { note: l.note } : {}),
    })),
    unitPrices: { ...cost.unitPrices },
    serviceTier: cost.serviceTier,
    batch: cost.batch,
    unpricedParts: cost.unpricedParts.map((p) => ({ ...p })),
    priceVersion: cost.priceVersion,
    ...(cost.warnings.length ? { warnings: [...cost.warnings] } : {}),
  };
}

/** `input 120 token (no input_cost_per_token in the price set)`, one per unpriced part. */
export function describeUnpricedParts(cost: Cost): string[] {
  return cost.unpricedParts.map((p) => `${p.kind} ${p.quantity} ${p.unit} (${p.reason})`);
}

/**
 * One line, e.g. `cost 0.00725 USD source=catalog:gpt-4o@2025-11-21 tier=base | input 800 token × 0.0000025
 * (input_cost_per_token) = 0.002 | … `.
 */
export function explainCost(cost: Cost): string {
  let head = `cost ${formatMoney(cost.costUsd)} USD source=${cost.source} tier=${cost.tier ?? 'base'}`;
  if (cost.serviceTier) head += ` service_tier=${cost.serviceTier}`;
  if (cost.batch) head += ' batch';
  if (cost.priceVersion) head += ` version=${cost.priceVersion}`;
  const tail: string[] = [];
  if (cost.unpricedParts.length) tail.push(`UNPRICED PARTS: ${describeUnpricedParts(cost).join('; ')}`);
  for (const w of cost.warnings) tail.push(`WARNING: ${w}`);
  const end = tail.length ? ` | ${tail.join(' | ')}` : '';
  if (cost.unpriced)
    return `${head} | UNPRICED: no price for this deployment, cost 0 recorded as unpriced${end}`;
  if (cost.lines.length === 0) return `${head} | no billable usage${end}`;
  const parts = cost.lines.map(
    (l) =>
      `${l.kind} ${l.quantity} ${l.unit} × ${formatMoney(l.unitPrice)} (${l.priceKey}) = ${formatMoney(l.amount)}${l.note ? ` [${l.note}]` : ''}`,
  );
  return `${head} | ${parts.join(' | ')}${end}`;
}
