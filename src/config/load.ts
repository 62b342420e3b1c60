/**
 * @module config/load
 * Loads a LiteLLM-style config.yaml into a GatewayConfig. Every problem is collected (YAML path +
 * line) and reported at once. A problem inside one `model_list` entry disables that entry only: it is
 * listed in `disabledDeployments` (with file:line and why) and warned, and the rest of the config loads,
 * so one bad deployment never keeps the gateway down. With `strict` (the `--strict` flag, or
 * `general_settings.strict_config: true`) such problems are errors, as every other error is: ConfigError.
 *
 * Order: parse YAML → read `environment_variables` (resolved against the real env) → resolve
 * `os.environ/NAME` everywhere else against env + environment_variables → read the settings sections →
 * read `include`d model lists → validate each model_list entry on its own.
 */

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readDeployment } from './deployment.js';
import { ConfigError, Diagnostics, formatDiagnostic, formatDiagnostics, joinPath } from './diagnostics.js';
import { resolveEnvRefs, type SeverityFor } from './env-refs.js';
import { readString } from './fields.js';
import { TOP_LEVEL_IGNORED, TOP_LEVEL_KEYS } from './known-keys.js';
import {
  readGeneralSettings,
  readLitellmSettings,
  readRouterSettings,
  sectionMap,
  settingsSeverity,
} from './settings.js';
import { didYouMean } from './suggest.js';
import type { ConfigDiagnostic, DeploymentConfig, DisabledDeployment, GatewayConfig } from './types.js';
import { describe, get, type LEntry, type LMap, type LNode, lineOf, parseYamlTree } from './yaml-tree.js';

export type { ConfigDiagnostic };
export { ConfigError, formatDiagnostics };

export interface ParseConfigOptions {
  /** Environment for `os.environ/NAME` (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the text came from: used in diagnostics and to find `include`d files. */
  sourcePath?: string;
  /**
   * Refuse any problem, a bad model_list entry included (`--strict`; also when the config sets
   * `general_settings.strict_config: true`). Default: a bad entry is disabled and the rest loads.
   */
  strict?: boolean;
}

const severityFor: SeverityFor = (path) => {
  if (/^(general_settings|router_settings|litellm_settings)\b/.test(path)) return settingsSeverity(path);
  if (/^(model_list|environment_variables|include)\b/.test(path)) return 'error';
  return 'warning';
};

function checkTopLevel(root: LMap, diags: Diagnostics): void {
  const ignored: string[] = [];
  for (const e of root.entries) {
    if ((TOP_LEVEL_KEYS as readonly string[]).includes(e.key)) continue;
    if ((TOP_LEVEL_IGNORED as readonly string[]).includes(e.key)) ignored.push(e.key);
    else
      diags.warn(
        e.key,
        e.keyLine,
        `unknown top-level key \`${e.key}\`, ignored${didYouMean(e.key, TOP_LEVEL_KEYS)}`,
      );
  }
  if (ignored.length > 0)
    diags.warn('', root.line, `accepted but not acted on by Tollgate: ${ignored.join(', ')}`);
}

/** Reads `environment_variables` (after resolving its own env refs against the real env). */
function readEnvironmentVariables(
  entry: LEntry | undefined,
  env: NodeJS.ProcessEnv,
  diags: Diagnostics,
): Record<string, string> {
  const out: Record<string, string> = {};
  const map = sectionMap(entry, 'environment_variables', diags);
  if (!map) return out;
  resolveEnvRefs(map, 'environment_variables', env, diags, severityFor);
  for (const e of map.entries) {
    const v = readString(e.value, joinPath('environment_variables', e.key), diags, { scalars: true });
    if (v !== undefined) out[e.key] = v;
  }
  return out;
}

/** The items of a model_list node; null/absent → []. */
function modelListItems(entry: LEntry | undefined, diags: Diagnostics): LNode[] {
  if (!entry) return [];
  const v = entry.value;
  if (v.kind === 'seq') return v.items;
  if (v.kind === 'scalar' && v.value === null) return [];
  diags.error('model_list', lineOf(entry), `must be a list of models (got ${describe(v)})`);
  return [];
}

interface ModelSource {
  items: LNode[];
  diags: Diagnostics;
}

/** Reads the `include` list: each file's model_list is appended to the main one. */
function readIncludes(
  entry: LEntry | undefined,
  sourcePath: string | undefined,
  diags: Diagnostics,
): ModelSource[] {
  if (!entry) return [];
  const v = entry.value;
  const nodes = v.kind === 'seq' ? v.items : [v];
  const baseDir = sourcePath ? dirname(sourcePath) : process.cwd();
  const out: ModelSource[] = [];
  nodes.forEach((n, i) => {
    const p = v.kind === 'seq' ? joinPath('include', i) : 'include';
    const rel = readString(n, p, diags, { nonEmpty: true });
    if (rel === undefined) return;
    const file = join(baseDir, rel);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      diags.error(
        p,
        n.line,
        `cannot read included file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
      return;
    }
    const sub = new Diagnostics(file);
    const tree = parseYamlTree(text, sub);
    if (tree && tree.kind !== 'map')
      sub.error('', tree.line, `an included file must be a mapping with model_list (got ${describe(tree)})`);
    if (tree?.kind === 'map') {
      for (const e of tree.entries) {
        if (e.key !== 'model_list')
          sub.warn(e.key, e.keyLine, 'only model_list is read from included files; ignored');
      }
      const ml = get(tree, 'model_list');
      // Env references inside the entries are resolved entry by entry (see readModelList).
      if (!ml) sub.warn('', tree.line, 'included file has no model_list');
      out.push({ items: modelListItems(ml, sub), diags: sub });
    } else {
      out.push({ items: [], diags: sub });
    }
  });
  return out;
}

/** A model_list entry that was read: a deployment, or the reasons it is disabled. */
interface EntryResult {
  deployment?: DeploymentConfig;
  disabled?: DisabledDeployment;
  /** Its diagnostics (errors make it disabled, or fail a strict load). */
  diags: Diagnostics;
  path: string;
}

/** Best-effort model_name / model of an entry that could not be read, for the disabled listing. */
function entryNames(item: LNode): { modelName?: string; model?: string } {
  if (item.kind !== 'map') return {};
  const name = get(item, 'model_name')?.value;
  const params = get(item, 'litellm_params')?.value ?? get(item, 'llm_params')?.value;
  const model = params?.kind === 'map' ? get(params, 'model')?.value : undefined;
  return {
    modelName: name?.kind === 'scalar' && typeof name.value === 'string' ? name.value : undefined,
    model: model?.kind === 'scalar' && typeof model.value === 'string' ? model.value : undefined,
  };
}

function disabledEntry(item: LNode, index: number, path: string, diags: Diagnostics): DisabledDeployment {
  const errors = diags.errors;
  const out: DisabledDeployment = {
    index,
    path,
    reasons: errors.map(formatDiagnostic),
    why: errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)),
    ...entryNames(item),
  };
  if (item.line !== undefined) out.line = item.line;
  if (diags.file !== undefined) out.file = diags.file;
  return out;
}

/** Reads every entry on its own (its env references, fields, prices), so one bad entry stays one. */
function readModelList(sources: ModelSource[], env: NodeJS.ProcessEnv): EntryResult[] {
  const results: EntryResult[] = [];
  let position = 0;
  for (const src of sources) {
    src.items.forEach((item, i) => {
      const path = joinPath('model_list', i);
      const diags = new Diagnostics(src.diags.file);
      resolveEnvRefs(item, path, env, diags, severityFor);
      const index = position++;
      const d = readDeployment(item, index, path, diags);
      if (d && src.diags.file !== undefined) d.file = src.diags.file;
      if (d && diags.errors.length === 0) results.push({ deployment: d, diags, path });
      else results.push({ disabled: disabledEntry(item, index, path, diags), diags, path });
    });
  }
  // A repeated model_info.id: the later entry is the bad one.
  const seen = new Map<string, EntryResult>();
  for (const r of results) {
    const d = r.deployment;
    if (!d) continue;
    const first = seen.get(d.id);
    if (!first) {
      seen.set(d.id, r);
      continue;
    }
    const fd = first.deployment as DeploymentConfig;
    const where = `${fd.file === d.file ? '' : `${fd.file ?? 'config.yaml'} `}${first.path}${fd.line ? ` (line ${fd.line})` : ''}`;
    r.diags.error(
      joinPath(joinPath(r.path, 'model_info'), 'id'),
      d.line,
      `duplicate model_info.id "${d.id}" (also used by ${where}): give each deployment its own id`,
    );
    r.disabled = disabledEntry({ kind: 'map', entries: [], line: d.line }, d.index, r.path, r.diags);
    r.disabled.modelName = d.modelName;
    r.disabled.model = d.model;
    r.deployment = undefined;
  }
  return results;
}

/** The one warning that says an entry is disabled, what that means for clients, and what to do. */
function disabledWarning(x: DisabledDeployment): ConfigDiagnostic {
  const name = x.modelName ? ` (${x.modelName})` : '';
  const effect = x.modelName
    ? `requests for "${x.modelName}" are answered with a 400 naming this reason unless another deployment of that model_name serves them`
    : 'it has no model_name, so no request can reach it';
  const d: ConfigDiagnostic = {
    severity: 'warning',
    path: x.path,
    message: `deployment${name} disabled: ${x.why.join('; ')}. ${effect}. Fix or remove this entry (\`--strict\` or general_settings.strict_config: true refuse to start instead)`,
  };
  if (x.line !== undefined) d.line = x.line;
  if (x.file !== undefined) d.file = x.file;
  return d;
}

/**
 * Parses and validates config text. Throws ConfigError listing every error (with path and line);
 * warnings (and, unless strict, disabled model_list entries) are returned in the config.
 */
export function parseConfig(yamlText: string, opts: ParseConfigOptions = {}): GatewayConfig {
  const baseEnv = opts.env ?? process.env;
  const diags = new Diagnostics(opts.sourcePath);
  const tree = parseYamlTree(yamlText, diags);
  if (diags.errors.length > 0) throw new ConfigError(diags.list);

  let root: LMap = { kind: 'map', entries: [], line: 1 };
  if (tree === undefined) diags.warn('', 1, 'the config is empty: no models are configured');
  else if (tree.kind !== 'map') {
    diags.error(
      '',
      tree.line,
      `the config must be a mapping with model_list, general_settings… (got ${describe(tree)})`,
    );
    throw new ConfigError(diags.list);
  } else root = tree;
  checkTopLevel(root, diags);

  const environmentVariables = readEnvironmentVariables(get(root, 'environment_variables'), baseEnv, diags);
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...environmentVariables };
  for (const e of root.entries) {
    // model_list entries resolve their own references (readModelList): a missing variable disables one entry.
    if (e.key !== 'environment_variables' && e.key !== 'model_list')
      resolveEnvRefs(e.value, e.key, env, diags, severityFor);
  }

  const generalSettings = readGeneralSettings(
    sectionMap(get(root, 'general_settings'), 'general_settings', diags),
    diags,
  );
  const litellm = readLitellmSettings(
    sectionMap(get(root, 'litellm_settings'), 'litellm_settings', diags),
    diags,
  );
  const routerSettings = readRouterSettings(
    sectionMap(get(root, 'router_settings'), 'router_settings', diags),
    litellm,
    diags,
  );
  const strict =
    opts.strict === true ||
    generalSettings.strictConfig === true ||
    routerSettings.strictDeployments === true;

  const sources: ModelSource[] = [{ items: modelListItems(get(root, 'model_list'), diags), diags }];
  const includes = readIncludes(get(root, 'include'), opts.sourcePath, diags);
  sources.push(...includes);
  if (tree !== undefined && !get(root, 'model_list') && includes.length === 0) {
    diags.warn('model_list', root.line, 'no model_list: the gateway has no models');
  }
  const entries = readModelList(sources, env);

  const deployments: DeploymentConfig[] = [];
  const disabled: DisabledDeployment[] = [];
  const entryDiags: ConfigDiagnostic[] = [];
  for (const r of entries) {
    if (r.deployment) deployments.push(r.deployment);
    if (strict || !r.disabled) entryDiags.push(...r.diags.list);
    else {
      disabled.push(r.disabled);
      entryDiags.push(...r.diags.warnings, disabledWarning(r.disabled));
    }
  }

  const diagnostics = [...diags.list, ...includes.flatMap((s) => s.diags.list), ...entryDiags];
  if (diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(diagnostics);
  const config: GatewayConfig = {
    deployments,
    disabledDeployments: disabled,
    generalSettings,
    routerSettings,
    litellmSettings: litellm.settings,
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
    strict,
  };
  if (opts.sourcePath !== undefined) config.sourcePath = resolve(opts.sourcePath);
  if (Object.keys(environmentVariables).length > 0) config.environmentVariables = environmentVariables;
  return config;
}

/** Reads and parses a config file. Throws ConfigError (also when the file cannot be read). */
export function loadConfigFile(
  path: string,
  env?: NodeJS.ProcessEnv,
  opts: { strict?: boolean } = {},
): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory'
          : String((err as Error).message);
    throw new ConfigError([
      { severity: 'error', path: '', file: path, message: `cannot read config: ${why}` },
    ]);
  }
  return parseConfig(text, { sourcePath: path, strict: opts.strict, ...(env === undefined ? {} : { env }) });
}
