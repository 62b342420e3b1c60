/**
 * @module pricing/money
 * Exact money. A Money is a bigint count of 10^-24 USD ("yocto-dollars"): every price in the
 * reference catalog has at most 19 decimals, and per-second prices times whole milliseconds need
 * 3 more, so 24 decimals keep every product exact. Never a binary float in arithmetic or sums.
 */

export type Money = bigint;

export const MONEY_SCALE = 24;
const SCALE = 10n ** BigInt(MONEY_SCALE);
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export const ZERO: Money = 0n;

/**
 * Parses decimal text ("0.000420", "4.2e-4", "3") or a JS number exactly. A number is read as its
 * shortest round-trip decimal (String(n)), which is the decimal the author wrote in YAML/JSON.
 * Throws RangeError on NaN/Infinity, non-numeric text, or more than 24 decimals.
 */
export function parseMoney(value: string | number | bigint): Money {
  if (typeof value === 'bigint') return value * SCALE;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    value = String(value);
  }
  const m = DECIMAL_RE.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal number: "${value}"`);
  const sign = m[1] === '-' ? -1n : 1n;
  let digits = (m[2] || '0') + (m[3] ?? '');
  let scale = (m[3] ?? '').length - Number(m[4] ?? 0); // value = digits × 10^-scale
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  if (scale > MONEY_SCALE) {
    // Allow extra digits only when they are zeros.
    const extra = scale - MONEY_SCALE;
    const tail = digits.slice(-extra);
    if (/[^0]/.test(tail)) throw new RangeError(`more than ${MONEY_SCALE} decimal places: "${value}"`);
    digits = digits.slice(0, -extra) || '0';
    scale = MONEY_SCALE;
  }
  return sign * BigInt(digits) * 10n ** BigInt(MONEY_SCALE - scale);
}

/** Shortest exact decimal text: 12000000000000000000000n → "0.012". */
export function formatMoney(m: Money): string {
  // One toString and slices (no bigint division, padding or regex): it runs several times per request.
  const neg = m < 0n;
  const digits = (neg ? -m : m).toString();
  const point = digits.length - MONEY_SCALE; // where the decimal point falls in `digits`
  const fracStart = Math.max(point, 0);
  let end = digits.length;
  while (end > fracStart && digits.charCodeAt(end - 1) === 48) end--;
  const whole = point > 0 ? digits.slice(0, point) : '0';
  const s =
    end === fracStart
      ? whole
      : `${whole}.${point < 0 ? '0'.repeat(-point) : ''}${digits.slice(fracStart, end)}`;
  return neg ? `-${s}` : s;
}

/** Money × integer quantity (tokens, images, pixels). */
export function mulInt(price: Money, quantity: number | bigint): Money {
  return price * BigInt(quantity);
}

/**
 * Money per second × milliseconds. Exact whenever the price has at most 21 decimals; otherwise
 * rounded half-up to 10^-24 USD (far below any currency unit).
 */
export function mulMillis(pricePerSecond: Money, millis: number): Money {
  const p = pricePerSecond * BigInt(Math.round(millis));
  return (p + 500n) / 1000n;
}

export function sumMoney(values: Iterable<Money>): Money {
  let t = 0n;
  for (const v of values) t += v;
  return t;
}

export function isMoneyText(text: string): boolean {
  try {
    parseMoney(text);
    return true;
  } catch {
    return false;
  }
}
