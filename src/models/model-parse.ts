/**
 * @module models/model-parse
 * A model as an admin API body or a stored row → DeploymentConfig, through exactly the code that
 * reads config.yaml: the JSON text is parsed by the YAML tree reader (JSON is YAML, and numbers keep
 * the digits they were written with, so prices stay exact), `os.environ/NAME` references are
 * resolved, and config/deployment.ts reads the entry with the same validation and warnings.
 */
import { readDeployment } from '../config/deployment.js';
import { Diagnostics } from '../config/diagnostics.js';
import { resolveEnvRefs } from '../config/env-refs.js';
import type { ConfigDiagnostic, DeploymentConfig } from '../config/types.js';
import { type LMap, type LNode, parseYamlTree } from '../config/yaml-tree.js';
import type { ModelSecrets } from './model-secrets.js';

/** `model.litellm_params.model: message` (no file or line: the body is one JSON line). */
function describeDiag(d: ConfigDiagnostic): string {
  return d.path ? `${d.path}: ${d.message}` : d.message;
}

export interface ParsedModel {
  deployment: DeploymentConfig | undefined;
  errors: string[];
  warnings: string[];
}

function decryptSecrets(node: LNode, secrets: ModelSecrets, errors: string[]): void {
  if (node.kind === 'map') {
    for (const e of node.entries) {
      const v = e.value;
      if (v.kind === 'scalar' && typeof v.value === 'string' && v.value.startsWith('tgenc:')) {
        try {
          const plain = secrets.decrypt(v.value);
          e.value = { ...v, value: plain, source: plain };
        } catch (err) {
          errors.push(`${e.key}: cannot decrypt (${(err as Error).message})`);
          e.value = { ...v, value: null, invalid: true };
        }
      } else decryptSecrets(v, secrets, errors);
    }
  } else if (node.kind === 'seq') for (const it of node.items) decryptSecrets(it, secrets, errors);
}

/**
 * Reads one model entry from JSON text ({model_name, litellm_params, model_info}). `index` is its
 * position after the config's models (only used for a derived id).
 */
export function parseModelEntry(
  jsonText: string,
  index: number,
  env: NodeJS.ProcessEnv,
  secrets: ModelSecrets,
): ParsedModel {
  const diags = new Diagnostics();
  const tree = parseYamlTree(jsonText, diags);
  const errors: string[] = [];
  if (!tree || tree.kind !== 'map') {
    errors.push(...diags.errors.map(describeDiag));
    if (errors.length === 0)
      errors.push('the model must be a JSON object with model_name and litellm_params');
    return { deployment: undefined, errors, warnings: [] };
  }
  decryptSecrets(tree, secrets, errors);
  // Only the entry's own keys; bookkeeping fields a UI may send along are not model settings.
  const entry: LMap = {
    kind: 'map',
    line: tree.line,
    entries: tree.entries.filter((e) =>
      ['model_name', 'litellm_params', 'llm_params', 'model_info'].includes(e.key),
    ),
  };
  resolveEnvRefs(entry, 'model', env, diags, () => 'error');
  const d = readDeployment(entry, index, 'model', diags);
  errors.push(...diags.errors.map(describeDiag));
  const warnings = diags.warnings.map(describeDiag);
  if (d) delete d.line;
  return { deployment: errors.length ? undefined : d, errors, warnings };
}

/** JSON text of a located node, numbers written with their source digits (exact). */
export function nodeToJson(node: LNode): string {
  if (node.kind === 'map')
    return `{${node.entries.map((e) => `${JSON.stringify(e.key)}:${nodeToJson(e.value)}`).join(',')}}`;
  if (node.kind === 'seq') return `[${node.items.map(nodeToJson).join(',')}]`;
  const v = node.value;
  if (typeof v === 'number')
    return node.source && /^-?\d/.test(node.source) ? node.source : JSON.stringify(v);
  return JSON.stringify(v ?? null);
}

/** `b`'s entries over `a`'s (top level), as LiteLLM's /model/update merges litellm_params and model_info. */
export function mergeMaps(a: LMap | undefined, b: LMap | undefined): LMap {
  const entries = [...(a?.entries ?? [])];
  for (const e of b?.entries ?? []) {
    const i = entries.findIndex((x) => x.key === e.key);
    if (i >= 0) entries[i] = e;
    else entries.push(e);
  }
  return { kind: 'map', entries, line: b?.line ?? a?.line };
}

/** Parses JSON text into a located tree; null when it is not a JSON object. */
export function parseJsonTree(text: string): LMap | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  } catch {
    return null;
  }
  const tree = parseYamlTree(text, new Diagnostics());
  return tree?.kind === 'map' ? tree : null;
}
