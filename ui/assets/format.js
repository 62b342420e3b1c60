/**
 * @module ui/format
 * Display rules for exact values. Money arrives as decimal text and is never turned into a float
 * for display: "$" + the integer part grouped by commas + the fraction digits exactly as sent,
 * padded with zeros to at least two places (never rounded or cut). "0.000345" → "$0.000345",
 * "1234.5" → "$1,234.50", "12" → "$12.00". Exact sums (for the chart's "other models") use BigInt.
 */

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

function group(intDigits) {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Money for display; text that is not a plain decimal is shown unchanged. */
export function formatUsd(text) {
  if (text === null || text === undefined) return '–';
  const s = String(text);
  const m = DECIMAL_RE.exec(s);
  if (!m) return s;
  const frac = (m[3] ?? '').padEnd(2, '0');
  const zero = /^0+$/.test(m[2]) && /^0*$/.test(m[3] ?? '');
  return `${m[1] && !zero ? '-' : ''}$${group(m[2].replace(/^0+(?=\d)/, ''))}.${frac}`;
}

/** Whole numbers (tokens, requests) grouped by commas; other text unchanged. */
export function formatInt(text) {
  if (text === null || text === undefined || text === '') return '–';
  const s = String(text);
  return /^-?\d+$/.test(s) ? s.replace(/^(-?)(\d+)$/, (_, sign, d) => sign + group(d)) : s;
}

/** "2024-05-01T10:00:00.123Z" → "2024-05-01 10:00:00" (UTC, as the API sends it). */
export function formatTime(iso) {
  if (typeof iso !== 'string') return '–';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** Exact sum of decimal texts (BigInt, no floats). */
export function addDecimals(values) {
  let scale = 0;
  const parsed = [];
  for (const v of values) {
    const m = DECIMAL_RE.exec(String(v));
    if (!m) throw new RangeError(`not a decimal: ${v}`);
    const frac = m[3] ?? '';
    scale = Math.max(scale, frac.length);
    parsed.push([m[1], m[2], frac]);
  }
  let total = 0n;
  for (const [sign, int, frac] of parsed) {
    const n = BigInt(int + frac.padEnd(scale, '0'));
    total += sign ? -n : n;
  }
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  const fracPart = digits.slice(digits.length - scale).replace(/0+$/, '');
  const out = fracPart ? `${intPart}.${fracPart}` : intPart;
  return neg ? `-${out}` : out;
}

/** Today's UTC date plus `days`, as YYYY-MM-DD. */
export function utcDay(days = 0, now = Date.now()) {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}
