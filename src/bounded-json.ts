/**
 * @module bounded-json
 * A bounded copy of client-controlled JSON-like data (metadata, stored prompts): never throws,
 * never recurses deeper than `maxDepth` (so no stack overflow however deep the input is), stops
 * at `maxBytes` of serialized text and `maxKeys` object keys, and turns what JSON.stringify would
 * choke on (BigInt, cycles, throwing getters or toJSON) into plain markers. What was cut is
 * reported, so callers can reject (at the edge) or flag (in the ledger).
 */

export interface JsonLimits {
  /** Nesting levels of objects/arrays; the value itself is level 1. */
  maxDepth: number;
  /** Approximate serialized size, in UTF-16 code units (≈ bytes for ASCII). */
  maxBytes: number;
  /** Object keys counted over the whole value (nested keys included). */
  maxKeys: number;
  /**
   * Longest single string kept (default: no own limit, only maxBytes). The ledger sets one so that
   * one huge string is cut rather than everything after it.
   */
  maxString?: number;
}

/**
 * Bounds for metadata a client sends (request `metadata` / `litellm_metadata`, and the metadata of
 * keys, users, teams and customers on the management API); documented in docs/ACCESS.md.
 */
export const CLIENT_METADATA_LIMITS: JsonLimits = { maxDepth: 8, maxBytes: 64 * 1024, maxKeys: 256 };

export type JsonCut = 'depth' | 'bytes' | 'keys' | 'cycle' | 'unserializable';

export interface BoundedJson {
  value: unknown;
  /** What was cut or replaced; empty when the value is unchanged. */
  cuts: JsonCut[];
  /** Serialized size counted so far (stops growing once maxBytes is passed). */
  bytes: number;
  /** Deepest nesting seen (capped at maxDepth + 1). */
  depth: number;
  keys: number;
}

export const TRUNCATED_MARK = '[truncated]';

/**
 * Returns a copy of `input` within `limits`. Values past a limit are replaced by
 * TRUNCATED_MARK (deep values, the rest of an array/object past the size or key budget).
 * Functions, symbols and undefined are dropped like JSON.stringify does.
 */
export function boundJson(input: unknown, limits: JsonLimits): BoundedJson {
  const cuts = new Set<JsonCut>();
  const ancestors: object[] = [];
  let bytes = 0;
  let keys = 0;
  let deepest = 0;

  const over = () => bytes > limits.maxBytes;

  function walk(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string': {
        const room = limits.maxBytes - bytes - 2;
        const cap = Math.min(room, limits.maxString ?? room);
        if (v.length > cap) {
          cuts.add('bytes');
          const kept = cap > TRUNCATED_MARK.length ? v.slice(0, cap - TRUNCATED_MARK.length) : '';
          bytes += kept.length + TRUNCATED_MARK.length + 2;
          return kept + TRUNCATED_MARK;
        }
        bytes += v.length + 2;
        return v;
      }
      case 'number':
        bytes += 8;
        return Number.isFinite(v) ? v : null;
      case 'boolean':
        bytes += 5;
        return v;
      case 'bigint': {
        const s = v.toString();
        bytes += s.length + 2;
        return s;
      }
      case 'object':
        break;
      default:
        return undefined; // undefined, function, symbol: dropped as JSON.stringify does
    }
    if (v === null) {
      bytes += 4;
      return null;
    }
    if (depth > deepest) deepest = depth;
    if (depth > limits.maxDepth) {
      cuts.add('depth');
      bytes += TRUNCATED_MARK.length + 2;
      return TRUNCATED_MARK;
    }
    let obj = v as object;
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let j: unknown;
      try {
        j = toJSON.call(obj);
      } catch {
        cuts.add('unserializable');
        return TRUNCATED_MARK;
      }
      if (typeof j !== 'object' || j === null) return walk(j, depth);
      obj = j;
    }
    if (ancestors.includes(obj)) {
      cuts.add('cycle');
      return '[Circular]';
    }
    ancestors.push(obj);
    try {
      return Array.isArray(obj) ? walkArray(obj, depth) : walkObject(obj as Record<string, unknown>, depth);
    } catch {
      // A proxy or exotic object that throws while being listed.
      cuts.add('unserializable');
      return TRUNCATED_MARK;
    } finally {
      ancestors.pop();
    }
  }

  function walkArray(arr: unknown[], depth: number): unknown[] {
    const out: unknown[] = [];
    bytes += 2;
    for (let i = 0; i < arr.length; i++) {
      if (over()) {
        cuts.add('bytes');
        out.push(TRUNCATED_MARK);
        break;
      }
      const w = walk(read(arr, i), depth + 1);
      out.push(w === undefined ? null : w);
      bytes += 1;
    }
    return out;
  }

  function walkObject(o: Record<string, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    bytes += 2;
    for (const k of Object.keys(o)) {
      if (over()) {
        cuts.add('bytes');
        put(out, TRUNCATED_MARK, true);
        break;
      }
      if (++keys > limits.maxKeys || k.length + 4 > limits.maxBytes - bytes) {
        cuts.add(keys > limits.maxKeys ? 'keys' : 'bytes');
        put(out, TRUNCATED_MARK, true);
        break;
      }
      const w = walk(read(o, k), depth + 1);
      if (w === undefined) continue;
      bytes += k.length + 4;
      put(out, k, w);
    }
    return out;
  }

  function read(o: object, k: string | number): unknown {
    try {
      return (o as Record<string | number, unknown>)[k];
    } catch {
      cuts.add('unserializable');
      return TRUNCATED_MARK;
    }
  }

  const value = walk(input, 1);
  if (over()) cuts.add('bytes');
  return { value, cuts: [...cuts], bytes, depth: deepest, keys };
}

/** Own data property, also for "__proto__" (a plain assignment would set the prototype). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * True when `value` nests objects/arrays deeper than maxDepth (the value itself is level 1).
 * Allocation-free and never recursing past maxDepth: safe on 5,000-level input.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const walk = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (depth > maxDepth) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (walk(v[i], depth + 1)) return true;
      return false;
    }
    for (const k in v) if (walk((v as Record<string, unknown>)[k], depth + 1)) return true;
    return false;
  };
  return walk(value, 1);
}

interface MeasureState {
  bytes: number;
  keys: number;
  limits: JsonLimits;
}

function measure(v: unknown, depth: number, st: MeasureState): boolean {
  switch (typeof v) {
    case 'string':
      if (st.limits.maxString !== undefined && v.length > st.limits.maxString) return false;
      st.bytes += v.length + 2;
      return st.bytes <= st.limits.maxBytes;
    case 'number':
      st.bytes += 8;
      return true;
    case 'boolean':
    case 'undefined':
      st.bytes += 5;
      return true;
    case 'object':
      break;
    default:
      return false; // bigint, function, symbol: needs the copying walk
  }
  if (v === null) return true;
  if (depth > st.limits.maxDepth) return false;
  if (Array.isArray(v)) {
    st.bytes += 2;
    for (let i = 0; i < v.length; i++) if (!measure(v[i], depth + 1, st)) return false;
    return st.bytes <= st.limits.maxBytes;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false; // Date, Map, class instances, toJSON…
  st.bytes += 2;
  for (const k in v) {
    if (++st.keys > st.limits.maxKeys) return false;
    st.bytes += k.length + 4;
    const d = Object.getOwnPropertyDescriptor(v, k);
    if (!d || d.get || !measure(d.value, depth + 1, st)) return false;
  }
  return st.bytes <= st.limits.maxBytes;
}

/**
 * True when `value` is plain JSON data (plain objects, arrays, strings, finite-or-not numbers,
 * booleans, null) within `limits`: boundJson would return it unchanged, so callers can use it
 * as is. Allocation-free apart from property descriptors; never recurses past maxDepth + 1, and a
 * cycle ends at the depth limit. Inherited enumerable keys make it false (for…in sees them).
 */
export function isPlainJsonWithin(value: unknown, limits: JsonLimits): boolean {
  try {
    return measure(value, 1, { bytes: 0, keys: 0, limits });
  } catch {
    return false; // a proxy that throws
  }
}
