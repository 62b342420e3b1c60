/**
 * @module config/yaml-tree
 * Parses YAML text into a small located tree (maps, sequences, scalars, each with its 1-based line
 * and, for scalars, the source text as written) so later passes can report `path:line` and keep
 * prices as exact decimal text. Aliases are resolved and `<<` merge keys applied.
 *
 * LiteLLM reads its config with PyYAML, so this reads YAML 1.1 the way PyYAML does: `20_000` is an
 * integer, `yes`/`no`/`on`/`off` are booleans (but not `y`/`n`), dates stay text, a key written twice keeps
 * its last value (with a warning), and a key set to `null` (or `~`, or nothing) is unset: it is dropped.
 */

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Tags,
} from 'yaml';
import { type Diagnostics, joinPath } from './diagnostics.js';

export interface LScalar {
  kind: 'scalar';
  /** JS value per the YAML core schema (string, number, boolean, null); env refs replaced by their value. */
  value: unknown;
  /** Source text of the scalar without quotes (`0.000420`), or the env value when `env` is set. */
  source: string | undefined;
  line: number | undefined;
  /** Name of the environment variable this value came from (`os.environ/NAME`). */
  env?: string;
  /** Set when the value could not be resolved (already reported); readers skip it silently. */
  invalid?: boolean;
}

export interface LEntry {
  key: string;
  keyLine: number | undefined;
  value: LNode;
}

export interface LMap {
  kind: 'map';
  entries: LEntry[];
  line: number | undefined;
}

export interface LSeq {
  kind: 'seq';
  items: LNode[];
  line: number | undefined;
}

export type LNode = LScalar | LMap | LSeq;

const MAX_DEPTH = 64;

const BOOL_TAG = 'tag:yaml.org,2002:bool';
/** PyYAML's booleans (its resolver has no `y`/`n`, unlike the YAML 1.1 spec and the `yaml` package). */
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/** The YAML 1.1 tags as PyYAML resolves plain scalars: its booleans, and timestamps left as text. */
function pyyamlTags(tags: Tags): Tags {
  const out: Tags = [];
  for (const t of tags) {
    if (typeof t !== 'object' || !('tag' in t)) {
      out.push(t);
      continue;
    }
    if (t.tag === 'tag:yaml.org,2002:timestamp') continue;
    if (t.tag === BOOL_TAG && 'test' in t && t.test instanceof RegExp) {
      const isTrue = t.test.test('true');
      out.push({ ...t, test: isTrue ? PY_TRUE : PY_FALSE } as (typeof tags)[number]);
      continue;
    }
    out.push(t);
  }
  return out;
}

export function get(map: LMap, key: string): LEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** A plain `null` / `~` / empty value (not an unresolved env reference, which is already reported). */
export function isNullScalar(node: LNode): boolean {
  return node.kind === 'scalar' && node.value === null && node.invalid !== true;
}

/** The line to report for a value: its own line, else its key's line. */
export function lineOf(entry: LEntry): number | undefined {
  return entry.value.line ?? entry.keyLine;
}

/** Describes a node for messages: `"abc"`, `12`, `a list`, `a mapping`, `null`. */
export function describe(node: LNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'nothing';
  if (typeof node.value === 'string') return JSON.stringify(node.value);
  return node.source ?? String(node.value);
}

/** Plain JS value of a located node (for free-form sections such as model_info or litellm_settings). */
export function toPlain(node: LNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = toPlain(e.value);
  return out;
}

/** Parses `text`; YAML syntax errors are reported to `diags`. Returns undefined for an empty document. */
export function parseYamlTree(text: string, diags: Diagnostics): LNode | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    version: '1.1',
    customTags: pyyamlTags,
    merge: true,
    prettyErrors: false,
    // PyYAML accepts a key written twice (the last one wins): warned below, not refused.
    uniqueKeys: false,
  });
  for (const e of [...doc.errors, ...doc.warnings]) {
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    const msg = `YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
    if (doc.errors.includes(e as never)) diags.error('', line, msg);
    else diags.warn('', line, msg);
  }
  if (doc.errors.length > 0) return undefined;
  if (doc.contents === null) return undefined;
  return convert(doc, doc.contents as Node, lc, diags, 0, '');
}

function lineAt(lc: LineCounter, node: Node | null | undefined): number | undefined {
  const r = node?.range;
  return r ? lc.linePos(r[0]).line : undefined;
}

function convert(
  doc: Document,
  node: Node,
  lc: LineCounter,
  diags: Diagnostics,
  depth: number,
  path: string,
): LNode {
  if (depth > MAX_DEPTH) {
    diags.error(path, lineAt(lc, node), `nested more than ${MAX_DEPTH} levels deep`);
    return { kind: 'scalar', value: null, source: undefined, line: lineAt(lc, node) };
  }
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) {
      diags.error(path, lineAt(lc, node), `unknown YAML alias *${node.source}`);
      return { kind: 'scalar', value: null, source: undefined, line: lineAt(lc, node) };
    }
    const converted = convert(doc, target as Node, lc, diags, depth + 1, path);
    return { ...converted, line: lineAt(lc, node) ?? converted.line } as LNode;
  }
  if (isScalar(node)) {
    let source = typeof node.source === 'string' ? node.source : undefined;
    // `20_000` / `0.000_001`: the value is the number; the exact text is kept without the separators.
    if (typeof node.value === 'number' && source?.includes('_')) source = source.replaceAll('_', '');
    return {
      kind: 'scalar',
      value: node.value === undefined ? null : node.value,
      source,
      line: lineAt(lc, node),
    };
  }
  if (isSeq(node)) {
    return {
      kind: 'seq',
      items: node.items.map((it, i) =>
        it == null
          ? { kind: 'scalar' as const, value: null, source: undefined, line: undefined }
          : convert(doc, it as Node, lc, diags, depth + 1, joinPath(path, i)),
      ),
      line: lineAt(lc, node),
    };
  }
  if (isMap(node)) {
    const merged: LEntry[] = [];
    const own: LEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyLine = lineAt(lc, keyNode);
      const valueNode = pair.value as Node | null;
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        // `<<: *anchor` or `<<: [*a, *b]`: earlier sources win over later ones, own keys over all.
        const sources = valueNode && isSeq(valueNode) ? valueNode.items : [valueNode];
        for (const src of sources) {
          const m = src ? convert(doc, src as Node, lc, diags, depth + 1, path) : undefined;
          if (m?.kind !== 'map') {
            diags.error(path, keyLine, 'YAML merge key `<<` needs a mapping (or a list of mappings)');
            continue;
          }
          for (const e of m.entries) if (!merged.some((x) => x.key === e.key)) merged.push(e);
        }
        continue;
      }
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        diags.error(path, keyLine, 'mapping keys must be plain strings');
        continue;
      }
      const key = String(keyNode.value);
      const childPath = joinPath(path, key);
      const value: LNode =
        valueNode == null
          ? { kind: 'scalar', value: null, source: undefined, line: keyLine }
          : convert(doc, valueNode, lc, diags, depth + 1, childPath);
      const earlier = own.findIndex((o) => o.key === key);
      if (earlier >= 0) {
        const first = own[earlier];
        diags.warn(
          childPath,
          keyLine,
          `\`${key}\` is set twice in this mapping${first.keyLine ? ` (first on line ${first.keyLine})` : ''}: the last one is used, as LiteLLM (PyYAML) does`,
        );
        own.splice(earlier, 1);
      }
      own.push({ key, keyLine, value });
    }
    // A key set to null means "unset" (LiteLLM treats `api_key: null` like no api_key), also over a merge.
    const entries = [...merged.filter((m) => !own.some((o) => o.key === m.key)), ...own].filter(
      (e) => !isNullScalar(e.value),
    );
    return { kind: 'map', entries, line: lineAt(lc, node) };
  }
  return { kind: 'scalar', value: null, source: undefined, line: lineAt(lc, node) };
}
