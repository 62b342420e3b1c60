/**
 * @module ui/lib/money
 * Exact money for display and the few sums the console does itself. Money arrives as decimal text
 * (JSON numbers kept as text by exact-json) and is never turned into a float: "$" + the integer
 * part grouped by commas + the fraction digits exactly as sent, padded with zeros to at least two
 * places, never rounded or cut ("0.000345" → "$0.000345", "1234.5" → "$1,234.50"). Sums and
 * ratios use BigInt on scaled integers.
 */
import { numText } from './exact-json';

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;
const SCI_RE = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/;

/** Plain decimal text of a number text, exponent notation expanded exactly ("1.5e-7" → "0.00000015"). */
export function toPlainDecimal(text: string): string | null {
  if (DECIMAL_RE.test(text)) return text;
  const m = SCI_RE.exec(text);
  if (!m) return null;
  const exp = Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 400) return null;
  const digits = (m[2] + (m[3] ?? '')).replace(/^0+(?=\d)/, '');
  const point = m[2].replace(/^0+(?=\d)/, '').length + exp; // position of the decimal point in `digits`
  let int: string;
  let frac: string;
  if (point <= 0) {
    int = '0';
    frac = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    int = digits + '0'.repeat(point - digits.length);
    frac = '';
  } else {
    int = digits.slice(0, point);
    frac = digits.slice(point);
  }
  return normalize(m[1], int, frac);
}

function normalize(sign: string, int: string, frac: string): string {
  const i = int.replace(/^0+(?=\d)/, '') || '0';
  const f = frac.replace(/0+$/, '');
  const zero = /^0+$/.test(i) && f === '';
  return `${sign && !zero ? '-' : ''}${i}${f ? `.${f}` : ''}`;
}

function group(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Decimal text of a money value; null when absent. */
export function moneyText(v: unknown): string | null {
  const t = numText(v);
  return t === null ? null : toPlainDecimal(t);
}

/** Money for display; "–" when absent; text that is not a number is shown unchanged. */
export function formatUsd(v: unknown): string {
  const raw = numText(v);
  if (raw === null) return '–';
  const s = toPlainDecimal(raw);
  const m = s ? DECIMAL_RE.exec(s) : null;
  if (!m) return raw;
  const frac = (m[3] ?? '').padEnd(2, '0');
  const zero = /^0+$/.test(m[2]) && /^0*$/.test(m[3] ?? '');
  return `${m[1] && !zero ? '-' : ''}$${group(m[2].replace(/^0+(?=\d)/, ''))}.${frac}`;
}

/** Whole numbers (tokens, requests) grouped by commas; "–" when absent. */
export function formatInt(v: unknown): string {
  const s = numText(v);
  if (s === null) return '–';
  return /^-?\d+$/.test(s) ? s.replace(/^(-?)(\d+)$/, (_, sign: string, d: string) => sign + group(d)) : s;
}

interface Scaled {
  n: bigint;
  scale: number;
}

function scaled(text: string): Scaled {
  const plain = toPlainDecimal(text);
  const m = plain ? DECIMAL_RE.exec(plain) : null;
  if (!m) throw new RangeError(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  const n = BigInt(m[2] + frac);
  return { n: m[1] ? -n : n, scale: frac.length };
}

function align(a: Scaled, scale: number): bigint {
  return a.n * 10n ** BigInt(scale - a.scale);
}

function fromScaled(n: bigint, scale: number): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
  return normalize(
    neg ? '-' : '',
    digits.slice(0, digits.length - scale),
    digits.slice(digits.length - scale),
  );
}

/** Exact sum of decimal texts (BigInt, no floats). */
export function addDecimals(values: readonly unknown[]): string {
  const parsed = values.map((v) => scaled(numText(v) ?? '0'));
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  return fromScaled(
    parsed.reduce((sum, p) => sum + align(p, scale), 0n),
    scale,
  );
}

/** -1, 0 or 1, exactly. */
export function compareDecimal(a: unknown, b: unknown): number {
  const x = scaled(numText(a) ?? '0');
  const y = scaled(numText(b) ?? '0');
  const scale = Math.max(x.scale, y.scale);
  const d = align(x, scale) - align(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** value × 10^places, exactly (per-token price → per-million-tokens price with places = 6). */
export function shiftDecimal(v: unknown, places: number): string {
  const s = scaled(numText(v) ?? '0');
  if (places >= s.scale) return fromScaled(s.n * 10n ** BigInt(places - s.scale), 0);
  return fromScaled(s.n, s.scale - places);
}

/**
 * spend / budget in basis points (0…10000+), exactly floored with BigInt: for drawing a bar and
 * choosing its colour; the amounts themselves are always shown as exact text.
 */
export function basisPoints(spend: unknown, budget: unknown): number | null {
  const b = numText(budget);
  if (b === null) return null;
  const x = scaled(numText(spend) ?? '0');
  const y = scaled(b);
  if (y.n <= 0n) return null;
  const scale = Math.max(x.scale, y.scale);
  const bp = (align(x, scale) * 10000n) / align(y, scale);
  return Number(bp > 1_000_000n ? 1_000_000n : bp);
}

/** True for non-negative decimal text a person may type as USD ("0.5", "12", "0.000001"). */
export function isMoneyInput(text: string): boolean {
  return /^\d{1,15}(\.\d{1,24})?$/.test(text.trim());
}
