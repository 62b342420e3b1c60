/**
 * @module pricing/exact-json
 * JSON with exact money. NUMERIC values come out of the database as decimal text; wrapping that
 * text in `exact()` makes `stringifyExact` write it as a JSON number verbatim (normalised to its
 * shortest form), so 0.0015265 is never turned into 0.0015265000000000001 by a float round trip.
 */
import { randomBytes } from 'node:crypto';

const JSON_NUMBER_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** A decimal that must be written as a JSON number exactly as its text says. */
export class ExactDecimal {
  readonly text: string;
  constructor(text: string) {
    this.text = normalizeDecimal(text);
  }
  /** Plain JSON.stringify (by mistake) keeps the exact text, as a string. */
  toJSON(): string {
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Text that is already valid JSON (e.g. a jsonb column read as ::text), written verbatim so numbers
 * inside it keep their exact digits.
 */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** jsonb text from the database (null → JSON null). */
export function rawJson(text: string | null | undefined): RawJson | null {
  return text === null || text === undefined ? null : new RawJson(text);
}

/** Wraps decimal text from NUMERIC (null/undefined → 0). */
export function exact(value: string | number | bigint | null | undefined): ExactDecimal {
  if (value === null || value === undefined) return new ExactDecimal('0');
  return new ExactDecimal(typeof value === 'string' ? value : String(value));
}

/**
 * Shortest exact text of a decimal: "0.0030000" → "0.003", "12.000" → "12", "-0.0" → "0",
 * "1e-7" → "0.0000001". Throws on anything that is not a finite decimal.
 */
const CANONICAL_RE = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

export function normalizeDecimal(text: string): string {
  if (CANONICAL_RE.test(text) && text !== '-0') return text;
  let s = text.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal number: "${text}"`);
  const neg = m[1] === '-';
  let intPart = m[2] || '0';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp !== 0) {
    const digits = intPart + frac;
    let point = intPart.length + exp;
    let all = digits;
    if (point < 0) {
      all = '0'.repeat(-point) + all;
      point = 0;
    }
    if (point > all.length) all += '0'.repeat(point - all.length);
    intPart = all.slice(0, point) || '0';
    frac = all.slice(point);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  s = frac ? `${intPart}.${frac}` : intPart;
  if (s === '0') return '0';
  return neg ? `-${s}` : s;
}

/**
 * JSON.stringify that writes ExactDecimal as a raw JSON number and RawJson verbatim. Uses the
 * native JSON.stringify with a replacer that leaves per-call marker strings (a random nonce, so no
 * data string can forge one), then splices the exact text in.
 */
export function stringifyExact(value: unknown): string {
  const nonce = randomBytes(9).toString('base64url');
  const raws: string[] = [];
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const orig = this[key];
    if (orig instanceof ExactDecimal) {
      if (!JSON_NUMBER_RE.test(orig.text)) throw new RangeError(`not a JSON number: ${orig.text}`);
      raws.push(orig.text);
      return `${nonce}#${raws.length - 1}`;
    }
    if (orig instanceof RawJson) {
      raws.push(orig.text);
      return `${nonce}#${raws.length - 1}`;
    }
    return v;
  });
  if (json === undefined) return 'null';
  if (raws.length === 0) return json;
  return json.replace(new RegExp(`"${nonce}#(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)]);
}

/**
 * JSON.parse that keeps every number as its exact text (a string), for checking exact money in
 * tests and for clients that must not round. Strings, objects, arrays, booleans, null as usual.
 */
export function parseExactJson(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const key = value() as string;
        ws();
        if (text[i++] !== ':') throw new SyntaxError(`expected : at ${i - 1}`);
        obj[key] = value();
        ws();
        const sep = text[i++];
        if (sep === '}') return obj;
        if (sep !== ',') throw new SyntaxError(`expected , or } at ${i - 1}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return arr;
        if (sep !== ',') throw new SyntaxError(`expected , or ] at ${i - 1}`);
      }
    }
    if (c === '"') {
      const start = i;
      i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i));
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) throw new SyntaxError(`unexpected token at ${i}`);
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return m[0];
  };
  const v = value();
  ws();
  if (i !== text.length) throw new SyntaxError(`unexpected data at ${i}`);
  return v;
}
