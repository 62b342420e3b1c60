/**
 * @module pricing/decimal
 * Exact sums and comparisons of decimal text (NUMERIC output) with BigInt, for the few places
 * where a report adds up rows in JS (nested totals) or sorts by money. Any number of decimals.
 */
import { normalizeDecimal } from './exact-json.js';

interface Scaled {
  units: bigint;
  scale: number;
}

function parse(text: string): Scaled {
  const n = normalizeDecimal(text);
  const neg = n.startsWith('-');
  const body = neg ? n.slice(1) : n;
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const scale = dot < 0 ? 0 : body.length - dot - 1;
  const units = BigInt(digits);
  return { units: neg ? -units : units, scale };
}

function format(units: bigint, scale: number): string {
  const neg = units < 0n;
  const abs = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? abs : `${abs.slice(0, abs.length - scale)}.${abs.slice(abs.length - scale)}`;
  return normalizeDecimal(neg ? `-${text}` : text);
}

/** Running exact sum of decimal strings. */
export class DecimalSum {
  private units = 0n;
  private scale = 0;

  add(text: string | null | undefined): this {
    if (text === null || text === undefined || text === '') return this;
    const v = parse(text);
    if (v.scale > this.scale) {
      this.units *= 10n ** BigInt(v.scale - this.scale);
      this.scale = v.scale;
    }
    this.units += v.units * 10n ** BigInt(this.scale - v.scale);
    return this;
  }

  toString(): string {
    return format(this.units, this.scale);
  }
}

export function sumDecimals(values: Iterable<string>): string {
  const s = new DecimalSum();
  for (const v of values) s.add(v);
  return s.toString();
}

/** Compares two decimal strings exactly: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const xu = x.units * 10n ** BigInt(scale - x.scale);
  const yu = y.units * 10n ** BigInt(scale - y.scale);
  return xu < yu ? -1 : xu > yu ? 1 : 0;
}
