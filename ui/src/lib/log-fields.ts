/**
 * @module ui/lib/log-fields
 * Reading a /spend/logs row: unpriced state, the cost explanation lines, tags, short ids. Fields
 * other gateway versions add (unpriced_parts, price_version, raw_usage) are used when present.
 */
import { asArray, asString, isObject, type Json, type JsonObject, numText } from './exact-json';

export type Unpriced = 'unpriced' | 'partial' | null;

export interface UnpricedPart {
  class: string;
  tokens: string;
  reason: string;
}

export function unpricedParts(log: JsonObject): UnpricedPart[] {
  return asArray(log.unpriced_parts)
    .filter(isObject)
    .map((p) => ({
      class: asString(p.class) ?? asString(p.kind) ?? '?',
      tokens: numText(p.tokens) ?? numText(p.quantity) ?? '?',
      reason: asString(p.reason) ?? '',
    }));
}

/** 'unpriced': no price at all (recorded as 0); 'partial': some token classes had no price. */
export function unpricedState(log: JsonObject): Unpriced {
  const breakdown = isObject(log.cost_breakdown) ? log.cost_breakdown : null;
  if (log.status === 'failure') return null; // a failed request costs nothing and is not "unpriced"
  if (log.pricing_source === 'unpriced' || breakdown?.unpriced === true) return 'unpriced';
  if (unpricedParts(log).length > 0) return 'partial';
  return null;
}

export interface CostLineView {
  kind: string;
  quantity: string;
  unit: string;
  priceKey: string;
  unitPrice: string;
  amount: string;
  note: string | null;
}

export function costLines(log: JsonObject): CostLineView[] {
  const b = isObject(log.cost_breakdown) ? log.cost_breakdown : null;
  if (!b) return [];
  return asArray(b.lines)
    .filter(isObject)
    .map((l) => ({
      kind: asString(l.kind) ?? '?',
      quantity: numText(l.quantity) ?? '?',
      unit: asString(l.unit) ?? '',
      priceKey: asString(l.priceKey) ?? '',
      unitPrice: numText(l.unitPrice) ?? '0',
      amount: numText(l.amount) ?? '0',
      note: asString(l.note),
    }));
}

/** Price version: the row's own field, or the one inside the cost breakdown. */
export function priceVersion(log: JsonObject): string | null {
  const b = isObject(log.cost_breakdown) ? log.cost_breakdown : null;
  return asString(log.price_version) ?? (b ? (asString(b.price_version) ?? asString(b.priceVersion)) : null);
}

export function tagsOf(log: JsonObject): string[] {
  return asArray(log.request_tags).filter((t): t is string => typeof t === 'string');
}

/** "3f9a1c2e…9b0d" for a long id (the full id is in the title and the detail view). */
export function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

/** "catalog:gpt-4o-mini@2025-11-21" → { short: "catalog", full } for a compact column. */
export function sourceLabel(source: Json | undefined): { short: string; full: string } {
  const full = asString(source) ?? '–';
  const i = full.indexOf(':');
  return { short: i > 0 ? full.slice(0, i) : full, full };
}
