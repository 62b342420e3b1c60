/**
 * @module config/yaml-tree
 * Parses YAML text into a small located tree (maps, sequences, scalars, each with its 1-based line
 * and, for scalars, the source text as written) so later passes can report `path:line` and keep
 * prices as exact decimal text. Aliases are resolved and `<<` merge keys applied.
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

export function get(map: LMap, key: string): LEntry | undefined {
  return map.entries.find((e) => e.key === key);
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
  const doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: true });
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
    return {
      kind: 'scalar',
      value: node.value === undefined ? null : node.value,
      source: typeof node.source === 'string' ? node.source : undefined,
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
      own.push({ key, keyLine, value });
    }
    const entries = [...merged.filter((m) => !own.some((o) => o.key === m.key)), ...own];
    return { kind: 'map', entries, line: lineAt(lc, node) };
  }
  return { kind: 'scalar', value: null, source: undefined, line: lineAt(lc, node) };
}
