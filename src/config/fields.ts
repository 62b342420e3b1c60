/**
 * @module config/fields
 * Typed readers for config values. Each reads one located node, reports a precise diagnostic
 * (path + line + what was found) when the value has the wrong type, and returns undefined then.
 * Numbers may be written as numeric strings (`rpm: "60"`, or `os.environ/RPM` = "60"); booleans must be
 * YAML booleans, or "true"/"false" when they come from `os.environ/…`.
 */

import { parseMoney } from '../pricing/money.js';
import type { Diagnostics } from './diagnostics.js';
import { describe, type LNode } from './yaml-tree.js';

function fail(diags: Diagnostics, path: string, node: LNode, expected: string): undefined {
  if (node.kind === 'scalar' && node.invalid) return undefined; // already reported (unresolved env ref)
  diags.error(path, node.line, `must be ${expected} (got ${describe(node)}${envNote(node)})`);
  return undefined;
}

function envNote(node: LNode): string {
  return node.kind === 'scalar' && node.env ? ` from ${node.env}` : '';
}

/** A string. With `scalars`, numbers and booleans are accepted as their source text (`api_version: 2024`). */
export function readString(
  node: LNode,
  path: string,
  diags: Diagnostics,
  opts: { scalars?: boolean; nonEmpty?: boolean } = {},
): string | undefined {
  if (node.kind !== 'scalar') return fail(diags, path, node, 'a string');
  let s: string | undefined;
  if (typeof node.value === 'string') s = node.value;
  else if (opts.scalars && (typeof node.value === 'number' || typeof node.value === 'boolean'))
    s = node.source ?? String(node.value);
  if (s === undefined) return fail(diags, path, node, 'a string');
  if (opts.nonEmpty && s.trim() === '') return fail(diags, path, node, 'a non-empty string');
  return s;
}

function numericValue(node: LNode): number | undefined {
  if (node.kind !== 'scalar') return undefined;
  if (typeof node.value === 'number') return node.value;
  if (typeof node.value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(node.value)) {
    return Number(node.value);
  }
  return undefined;
}

/** An integer >= min (default 0). */
export function readInt(
  node: LNode,
  path: string,
  diags: Diagnostics,
  opts: { min?: number } = {},
): number | undefined {
  const min = opts.min ?? 0;
  const n = numericValue(node);
  const expected = min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
  if (n === undefined || !Number.isSafeInteger(n) || n < min) return fail(diags, path, node, expected);
  return n;
}

/** A finite number; `positive` requires > 0, otherwise >= 0. */
export function readNumber(
  node: LNode,
  path: string,
  diags: Diagnostics,
  opts: { positive?: boolean } = {},
): number | undefined {
  const n = numericValue(node);
  const expected = opts.positive ? 'a positive number' : 'a non-negative number';
  if (n === undefined || !Number.isFinite(n) || n < 0 || (opts.positive && n === 0))
    return fail(diags, path, node, expected);
  return n;
}

/** true/false (YAML booleans; `"true"`/`"false"` from env). */
export function readBool(node: LNode, path: string, diags: Diagnostics): boolean | undefined {
  if (node.kind === 'scalar') {
    if (typeof node.value === 'boolean') return node.value;
    if (node.env && typeof node.value === 'string') {
      const v = node.value.trim().toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
    }
  }
  return fail(diags, path, node, 'true or false');
}

/**
 * A price: a non-negative decimal. Returns the exact text as written in the YAML (`0.000420`,
 * `4.2e-4`, `"0.0001"`), never a re-printed float.
 */
export function readPrice(node: LNode, path: string, diags: Diagnostics): string | undefined {
  const expected = 'a non-negative number';
  if (node.kind !== 'scalar') return fail(diags, path, node, expected);
  let text: string | undefined;
  if (typeof node.value === 'number') text = node.source ?? String(node.value);
  else if (typeof node.value === 'string') text = node.value.trim();
  if (text === undefined || text === '') return fail(diags, path, node, expected);
  let money: bigint;
  try {
    money = parseMoney(text);
  } catch (err) {
    if (err instanceof RangeError && /decimal places/.test(err.message)) {
      diags.error(path, node.line, `has more decimal places than Tollgate keeps (24): ${text}`);
      return undefined;
    }
    return fail(diags, path, node, expected);
  }
  if (money < 0n) return fail(diags, path, node, expected);
  return text;
}
