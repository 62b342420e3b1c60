/**
 * @module config/load
 * Loads a LiteLLM-style config.yaml into a GatewayConfig. Every problem is collected (YAML path +
 * line) and reported at once: any error throws ConfigError, so a bad config never yields a half config.
 *
 * Order: parse YAML → read `environment_variables` (resolved against the real env) → resolve
 * `os.environ/NAME` everywhere else against env + environment_variables → read `include`d model
 * lists → validate model_list and the settings sections.
 */

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readDeployment } from './deployment.js';
import { ConfigError, Diagnostics, formatDiagnostics, joinPath } from './diagnostics.js';
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
import type { ConfigDiagnostic, DeploymentConfig, GatewayConfig } from './types.js';
import { describe, get, type LEntry, type LMap, type LNode, lineOf, parseYamlTree } from './yaml-tree.js';

export type { ConfigDiagnostic };
export { ConfigError, formatDiagnostics };

export interface ParseConfigOptions {
  /** Environment for `os.environ/NAME` (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the text came from: used in diagnostics and to find `include`d files. */
  sourcePath?: string;
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
  env: NodeJS.ProcessEnv,
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
      if (ml) resolveEnvRefs(ml.value, 'model_list', env, sub, severityFor);
      else sub.warn('', tree.line, 'included file has no model_list');
      out.push({ items: modelListItems(ml, sub), diags: sub });
    } else {
      out.push({ items: [], diags: sub });
    }
  });
  return out;
}

function checkDuplicateIds(
  deployments: DeploymentConfig[],
  paths: Map<DeploymentConfig, [string, Diagnostics]>,
): void {
  const seen = new Map<string, DeploymentConfig>();
  for (const d of deployments) {
    const first = seen.get(d.id);
    if (!first) {
      seen.set(d.id, d);
      continue;
    }
    const [path, diags] = paths.get(d)!;
    const [firstPath, firstDiags] = paths.get(first)!;
    const where = `${firstDiags === diags ? '' : `${firstDiags.file ?? 'config.yaml'} `}${firstPath}${first.line ? ` (line ${first.line})` : ''}`;
    diags.error(
      joinPath(joinPath(path, 'model_info'), 'id'),
      d.line,
      `duplicate model_info.id "${d.id}" (also used by ${where})`,
    );
  }
}

/**
 * Parses and validates config text. Throws ConfigError listing every error (with path and line);
 * warnings are returned in `warnings`.
 */
export function parseConfig(
  yamlText: string,
  opts: { env?: NodeJS.ProcessEnv; sourcePath?: string } = {},
): GatewayConfig {
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
    if (e.key !== 'environment_variables') resolveEnvRefs(e.value, e.key, env, diags, severityFor);
  }

  const sources: ModelSource[] = [{ items: modelListItems(get(root, 'model_list'), diags), diags }];
  const includes = readIncludes(get(root, 'include'), opts.sourcePath, env, diags);
  sources.push(...includes);
  if (tree !== undefined && !get(root, 'model_list') && includes.length === 0) {
    diags.warn('model_list', root.line, 'no model_list: the gateway has no models');
  }

  const deployments: DeploymentConfig[] = [];
  const paths = new Map<DeploymentConfig, [string, Diagnostics]>();
  for (const src of sources) {
    src.items.forEach((item, i) => {
      const path = joinPath('model_list', i);
      const d = readDeployment(item, deployments.length, path, src.diags);
      if (d) {
        deployments.push(d);
        paths.set(d, [path, src.diags]);
      }
    });
  }
  checkDuplicateIds(deployments, paths);

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

  const diagnostics = [...diags.list, ...includes.flatMap((s) => s.diags.list)];
  if (diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(diagnostics);
  const config: GatewayConfig = {
    deployments,
    generalSettings,
    routerSettings,
    litellmSettings: litellm.settings,
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
  if (opts.sourcePath !== undefined) config.sourcePath = resolve(opts.sourcePath);
  if (Object.keys(environmentVariables).length > 0) config.environmentVariables = environmentVariables;
  return config;
}

/** Reads and parses a config file. Throws ConfigError (also when the file cannot be read). */
export function loadConfigFile(path: string, env?: NodeJS.ProcessEnv): GatewayConfig {
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
  return parseConfig(text, env === undefined ? { sourcePath: path } : { env, sourcePath: path });
}
