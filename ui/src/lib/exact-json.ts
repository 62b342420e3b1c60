/**
 * @module ui/lib/exact-json
 * JSON parsing that keeps every number as its exact source text. The gateway writes money as JSON
 * numbers with every digit (0.000000123456789012345678); JSON.parse would round them to doubles,
 * so the console never uses it on API responses. Numbers come back as JsonNumber (text kept, so a
 * pretty-printed raw object still shows numbers unquoted), strings stay strings.
 */

/** A JSON number, kept as the exact text the gateway sent. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** For drawing only (bar heights): never for money arithmetic. */
  valueOf(): number {
    return Number(this.text);
  }
  toJSON(): string {
    return this.text;
  }
}

export type Json = null | boolean | string | JsonNumber | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const NUMBER_OR_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const MAX_DEPTH = 200;

/** Parses JSON text; numbers become JsonNumber with their exact text. Throws SyntaxError. */
export function parseExactJson(text: string): Json {
  let i = 0;
  let depth = 0;
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      i++;
    }
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Json => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) fail('nested too deeply');
      i++;
      ws();
      if (c === '{') {
        const obj: JsonObject = {};
        if (text[i] === '}') {
          i++;
          depth--;
          return obj;
        }
        for (;;) {
          ws();
          if (text[i] !== '"') fail('expected a key');
          const key = str();
          ws();
          if (text[i++] !== ':') fail('expected :');
          obj[key] = value();
          ws();
          const sep = text[i++];
          if (sep === '}') break;
          if (sep !== ',') fail('expected , or }');
        }
        depth--;
        return obj;
      }
      const arr: Json[] = [];
      if (text[i] === ']') {
        i++;
        depth--;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') break;
        if (sep !== ',') fail('expected , or ]');
      }
      depth--;
      return arr;
    }
    if (c === '"') return str();
    NUMBER_OR_LITERAL.lastIndex = i;
    const m = NUMBER_OR_LITERAL.exec(text);
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return new JsonNumber(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail('unexpected data');
  return v;
}

/** Pretty JSON text of a parsed value, numbers printed exactly as received. */
export function stringifyExact(value: unknown, indent = 2): string {
  const pad = (n: number) => ' '.repeat(n * indent);
  const walk = (v: unknown, level: number): string => {
    if (v instanceof JsonNumber) return v.text;
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((x) => pad(level + 1) + walk(x, level + 1)).join(',\n')}\n${pad(level)}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad(level + 1)}${JSON.stringify(k)}: ${walk(x, level + 1)}`).join(',\n')}\n${pad(level)}}`;
  };
  return walk(value, 0);
}

/** The text of a number or numeric string; null for anything else. */
export function numText(v: unknown): string | null {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A whole number for counts (tokens, requests); 0 when absent. Counts are far below 2^53. */
export function count(v: unknown): number {
  const t = numText(v);
  if (t === null) return 0;
  const n = Number(t);
  return Number.isFinite(n) ? n : 0;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

export function asString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.text;
  return null;
}

export function asArray(v: unknown): Json[] {
  return Array.isArray(v) ? (v as Json[]) : [];
}
