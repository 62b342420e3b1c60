/**
 * @module config/env-refs
 * `os.environ/NAME` references: every string value that starts with `os.environ/` is replaced by
 * the variable's value at load time (as LiteLLM does). A missing variable is reported by name, and
 * near-misses such as `os.envrion/NAME` (a typo in LiteLLM's own docs) are caught with a hint.
 */

import { type Diagnostics, joinPath } from './diagnostics.js';
import { editDistance } from './suggest.js';
import type { LNode, LScalar } from './yaml-tree.js';

export const ENV_PREFIX = 'os.environ/';

const NEAR_MISS_RE = /^os\s*[._]?\s*([A-Za-z]+)\s*[/.:\\]\s*([A-Za-z_][A-Za-z0-9_]*)$/i;

export type EnvRef =
  | { kind: 'ref'; name: string }
  | { kind: 'typo'; written: string; name: string }
  | undefined;

/** Classifies a string value: a valid reference, a misspelled one, or a plain value (undefined). */
export function classifyEnvRef(value: string): EnvRef {
  const v = value.trim();
  if (v.startsWith(ENV_PREFIX)) return { kind: 'ref', name: v.slice(ENV_PREFIX.length).trim() };
  const m = NEAR_MISS_RE.exec(v);
  if (!m) return undefined;
  const word = m[1].toLowerCase();
  if (word === 'environ' || word.startsWith('env') || editDistance(word, 'environ') <= 2) {
    return { kind: 'typo', written: v, name: m[2] };
  }
  return undefined;
}

/** How to report a problem at `path`: an error where Tollgate uses the value, a warning where it ignores it. */
export type SeverityFor = (path: string) => 'error' | 'warning';

/**
 * Replaces env references in every scalar under `node` (in place). Problems go to `diags` with the
 * severity `severityFor(path)` says.
 */
export function resolveEnvRefs(
  node: LNode,
  path: string,
  env: NodeJS.ProcessEnv,
  diags: Diagnostics,
  severityFor: SeverityFor,
): void {
  if (node.kind === 'map') {
    for (const e of node.entries) resolveEnvRefs(e.value, joinPath(path, e.key), env, diags, severityFor);
    return;
  }
  if (node.kind === 'seq') {
    node.items.forEach((it, i) => {
      resolveEnvRefs(it, joinPath(path, i), env, diags, severityFor);
    });
    return;
  }
  resolveScalar(node, path, env, diags, severityFor);
}

function resolveScalar(
  node: LScalar,
  path: string,
  env: NodeJS.ProcessEnv,
  diags: Diagnostics,
  severityFor: SeverityFor,
): void {
  if (typeof node.value !== 'string') return;
  const ref = classifyEnvRef(node.value);
  if (!ref) return;
  const sev = severityFor(path);
  const unresolved = (): void => {
    node.value = null;
    node.invalid = true;
  };
  if (ref.kind === 'typo') {
    unresolved();
    diags.push(
      sev,
      path,
      node.line,
      `did you mean os.environ/? "${ref.written}" looks like a misspelled environment reference; write "${ENV_PREFIX}${ref.name}"`,
    );
    return;
  }
  if (ref.name === '') {
    diags.push(
      sev,
      path,
      node.line,
      `"${node.value}" names no environment variable (write ${ENV_PREFIX}NAME)`,
    );
    unresolved();
    return;
  }
  const value = env[ref.name];
  if (value === undefined) {
    diags.push(
      sev,
      path,
      node.line,
      `environment variable ${ref.name} is not set (referenced as ${ENV_PREFIX}${ref.name})`,
    );
    unresolved();
    return;
  }
  node.value = value;
  node.source = value;
  node.env = ref.name;
}
