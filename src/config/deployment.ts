/**
 * @module config/deployment
 * One `model_list` entry → DeploymentConfig: model_name, litellm_params (alias llm_params) and
 * model_info, with typed fields, custom pricing as exact decimal text (model_info wins over
 * litellm_params), pass-through request parameters and typo warnings.
 */

import { createHash } from 'node:crypto';
import { CONFIG_COST_KEYS, isCostKey, NESTED_COST_KEYS } from './cost-keys.js';
import { type Diagnostics, joinPath } from './diagnostics.js';
import { readInt, readNumber, readPrice, readString } from './fields.js';
import {
  LITELLM_PARAMS_NOT_ACTED_ON,
  LITELLM_PARAMS_OPTIONS,
  LITELLM_PARAMS_TYPED,
  MODEL_ENTRY_KEYS,
  MODEL_INFO_KNOWN,
  MODEL_INFO_TYPED,
  MODES,
  REQUEST_PARAMS,
} from './known-keys.js';
import { didYouMean, nearest } from './suggest.js';
import type { DeploymentConfig } from './types.js';
import { describe, get, type LEntry, type LMap, type LNode, lineOf, toPlain } from './yaml-tree.js';

const OPTION_SET: ReadonlySet<string> = new Set(LITELLM_PARAMS_OPTIONS);
/** Keys that belong inside litellm_params (to tell a misplaced one from an unknown one). */
const PARAM_KEY_SET: ReadonlySet<string> = new Set([
  ...LITELLM_PARAMS_TYPED,
  ...LITELLM_PARAMS_OPTIONS,
  'litellm_provider',
]);
const REQUEST_PARAM_SET: ReadonlySet<string> = new Set(REQUEST_PARAMS);
const INFO_KNOWN_SET: ReadonlySet<string> = new Set([...MODEL_INFO_TYPED, ...MODEL_INFO_KNOWN]);
const PARAM_TYPO_TARGETS = [
  ...LITELLM_PARAMS_TYPED,
  ...LITELLM_PARAMS_OPTIONS,
  ...CONFIG_COST_KEYS,
  ...REQUEST_PARAMS,
];
const INFO_TYPO_TARGETS = [...MODEL_INFO_TYPED, ...CONFIG_COST_KEYS, ...MODEL_INFO_KNOWN];

/** Splits `litellm_params.model` into provider and upstream model (`azure/chatgpt-v-2` → azure, chatgpt-v-2). */
export function splitModel(
  model: string,
  customProvider?: string,
): { provider: string; upstreamModel: string } {
  const slash = model.indexOf('/');
  const prefix = slash > 0 ? model.slice(0, slash) : undefined;
  if (customProvider) {
    return {
      provider: customProvider,
      upstreamModel: prefix === customProvider ? model.slice(slash + 1) : model,
    };
  }
  if (prefix === undefined) return { provider: 'openai', upstreamModel: model };
  return { provider: prefix, upstreamModel: model.slice(slash + 1) };
}

/** Stable short id for an entry without model_info.id: sha256 of (model_name, model, api_base, index). */
export function deploymentId(
  modelName: string,
  model: string,
  apiBase: string | undefined,
  index: number,
): string {
  return createHash('sha256')
    .update(JSON.stringify([modelName, model, apiBase ?? null, index]))
    .digest('hex')
    .slice(0, 16);
}

/** Reads one cost key (plain or nested) into `out`. */
function readCostKey(entry: LEntry, path: string, diags: Diagnostics, out: Record<string, string>): void {
  const nested = NESTED_COST_KEYS[entry.key];
  if (nested) {
    const v = entry.value;
    if (v.kind !== 'map') {
      diags.error(
        path,
        lineOf(entry),
        `must be a mapping of ${nested.join(', ')} to prices (got ${describe(v)})`,
      );
      return;
    }
    for (const sub of v.entries) {
      const subPath = joinPath(path, sub.key);
      if (!nested.includes(sub.key)) {
        diags.warn(subPath, sub.keyLine, `unknown key \`${sub.key}\`, ignored${didYouMean(sub.key, nested)}`);
        continue;
      }
      const price = readPrice(sub.value, subPath, diags);
      if (price !== undefined) out[`${entry.key}.${sub.key}`] = price;
    }
    return;
  }
  const price = readPrice(entry.value, path, diags);
  if (price !== undefined) out[entry.key] = price;
}

function readApiBase(node: LNode, path: string, diags: Diagnostics): string | undefined {
  const s = readString(node, path, diags, { nonEmpty: true });
  if (s === undefined) return undefined;
  let ok = false;
  try {
    const u = new URL(s);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) {
    diags.error(path, node.line, `must be an http(s) URL (got ${describe(node)})`);
    return undefined;
  }
  return s;
}

interface ParamsResult {
  model?: string;
  customProvider?: string;
  apiKey?: string;
  apiBase?: string;
  apiVersion?: string;
  timeout?: number;
  maxRetries?: number;
  rpm?: number;
  tpm?: number;
  mockResponse?: string;
  baseModel?: string;
  pricing: Record<string, string>;
  extraParams: Record<string, unknown>;
  options: Record<string, unknown>;
}

const NOT_ACTED_ON_SET: ReadonlySet<string> = new Set(LITELLM_PARAMS_NOT_ACTED_ON);

function readParams(map: LMap, path: string, diags: Diagnostics): ParamsResult {
  const r: ParamsResult = { pricing: {}, extraParams: {}, options: {} };
  const notActedOn: string[] = [];
  for (const e of map.entries) {
    const p = joinPath(path, e.key);
    const v = e.value;
    switch (e.key) {
      case 'model':
        r.model = readString(v, p, diags, { nonEmpty: true });
        continue;
      case 'custom_llm_provider':
        r.customProvider = readString(v, p, diags, { nonEmpty: true });
        continue;
      case 'api_key':
        r.apiKey = readString(v, p, diags, { scalars: true });
        continue;
      case 'api_base':
        r.apiBase = readApiBase(v, p, diags);
        continue;
      case 'api_version':
        r.apiVersion = readString(v, p, diags, { scalars: true, nonEmpty: true });
        continue;
      case 'timeout':
        r.timeout = readNumber(v, p, diags, { positive: true });
        continue;
      case 'max_retries':
        r.maxRetries = readInt(v, p, diags);
        continue;
      case 'rpm':
        r.rpm = readInt(v, p, diags);
        continue;
      case 'tpm':
        r.tpm = readInt(v, p, diags);
        continue;
      case 'mock_response':
        r.mockResponse = readString(v, p, diags, { scalars: true });
        continue;
      case 'base_model':
        r.baseModel = readString(v, p, diags, { nonEmpty: true });
        continue;
    }
    if (isCostKey(e.key)) {
      readCostKey(e, p, diags, r.pricing);
      continue;
    }
    if (OPTION_SET.has(e.key)) {
      r.options[e.key] = toPlain(v);
      if (NOT_ACTED_ON_SET.has(e.key)) notActedOn.push(e.key);
      continue;
    }
    if ((MODEL_ENTRY_KEYS as readonly string[]).includes(e.key)) {
      diags.warn(
        p,
        e.keyLine,
        `\`${e.key}\` belongs beside litellm_params in the model_list entry, not inside it; ignored`,
      );
      continue;
    }
    if (!REQUEST_PARAM_SET.has(e.key)) {
      const near = nearest(e.key, PARAM_TYPO_TARGETS);
      if (near !== undefined && near !== e.key) {
        diags.warn(
          p,
          e.keyLine,
          `unknown key \`${e.key}\` (did you mean \`${near}\`?); passed to the provider as a request parameter`,
        );
      }
    }
    r.extraParams[e.key] = toPlain(v);
  }
  if (notActedOn.length > 0) {
    diags.warn(path, map.line, `accepted but not acted on by Tollgate: ${notActedOn.join(', ')}`);
  }
  return r;
}

interface InfoResult {
  id?: string;
  mode?: string;
  baseModel?: string;
  effectiveFrom?: string;
  pricing: Record<string, string>;
}

function readInfo(map: LMap, path: string, diags: Diagnostics): InfoResult {
  const r: InfoResult = { pricing: {} };
  for (const e of map.entries) {
    const p = joinPath(path, e.key);
    const v = e.value;
    if (e.key === 'id') r.id = readString(v, p, diags, { scalars: true, nonEmpty: true });
    else if (e.key === 'base_model') r.baseModel = readString(v, p, diags, { nonEmpty: true });
    else if (e.key === 'effective_from') {
      const text = readString(v, p, diags, { scalars: true, nonEmpty: true });
      const ms =
        text === undefined
          ? Number.NaN
          : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
      if (text !== undefined && Number.isNaN(ms))
        diags.error(p, v.line, `must be a date (YYYY-MM-DD or ISO-8601 date-time), got "${text}"`);
      else if (text !== undefined) r.effectiveFrom = new Date(ms).toISOString();
    } else if (e.key === 'mode') {
      r.mode = readString(v, p, diags, { nonEmpty: true });
      if (r.mode !== undefined && !(MODES as readonly string[]).includes(r.mode)) {
        diags.warn(
          p,
          v.line,
          `unknown mode "${r.mode}"${didYouMean(r.mode, MODES)}; known: ${MODES.join(', ')}`,
        );
      }
    } else if (isCostKey(e.key)) readCostKey(e, p, diags, r.pricing);
    else if (!INFO_KNOWN_SET.has(e.key)) {
      // model_info is free-form: only keys that look like a misspelled known key are flagged.
      const near = nearest(e.key, INFO_TYPO_TARGETS, { strict: true });
      if (near !== undefined && near !== e.key) {
        diags.warn(
          p,
          e.keyLine,
          `unknown key \`${e.key}\` (did you mean \`${near}\`?); kept in model_info but not used`,
        );
      }
    }
  }
  return r;
}

function infoInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** Reads one model_list entry. `index` is the global position; `path` is e.g. `model_list[3]`. */
export function readDeployment(
  node: LNode,
  index: number,
  path: string,
  diags: Diagnostics,
): DeploymentConfig | undefined {
  if (node.kind !== 'map') {
    diags.error(
      path,
      node.line,
      `must be a mapping with model_name and litellm_params (got ${describe(node)})`,
    );
    return undefined;
  }
  let entryRpm: number | undefined;
  let entryTpm: number | undefined;
  for (const e of node.entries) {
    // LiteLLM's router also reads rpm/tpm written beside litellm_params (load balancing weights).
    if (e.key === 'rpm') entryRpm = readInt(e.value, joinPath(path, e.key), diags);
    else if (e.key === 'tpm') entryTpm = readInt(e.value, joinPath(path, e.key), diags);
    else if (!(MODEL_ENTRY_KEYS as readonly string[]).includes(e.key)) {
      const misplaced = PARAM_KEY_SET.has(e.key);
      diags.warn(
        joinPath(path, e.key),
        e.keyLine,
        misplaced
          ? `\`${e.key}\` belongs inside litellm_params; ignored here (as LiteLLM ignores it)`
          : `unknown key \`${e.key}\`, ignored${didYouMean(e.key, MODEL_ENTRY_KEYS)}`,
      );
    }
  }
  const nameEntry = get(node, 'model_name');
  let modelName: string | undefined;
  if (!nameEntry) diags.error(joinPath(path, 'model_name'), node.line, 'model_name is missing');
  else modelName = readString(nameEntry.value, joinPath(path, 'model_name'), diags, { nonEmpty: true });

  const lp = get(node, 'litellm_params');
  const alias = get(node, 'llm_params');
  if (lp && alias) {
    diags.error(
      joinPath(path, 'llm_params'),
      alias.keyLine,
      'both litellm_params and llm_params are set; use one',
    );
  }
  const paramsEntry = lp ?? alias;
  const paramsPath = joinPath(path, paramsEntry?.key ?? 'litellm_params');
  let params: ParamsResult | undefined;
  if (!paramsEntry) {
    const typo = node.entries.find((e) => nearest(e.key, ['litellm_params', 'llm_params']) !== undefined);
    const hint = typo ? ` (found \`${typo.key}\`: did you mean \`litellm_params\`?)` : '';
    diags.error(paramsPath, node.line, `litellm_params is missing (it needs at least \`model\`)${hint}`);
  } else if (paramsEntry.value.kind !== 'map') {
    diags.error(paramsPath, lineOf(paramsEntry), `must be a mapping (got ${describe(paramsEntry.value)})`);
  } else {
    params = readParams(paramsEntry.value, paramsPath, diags);
    if (!get(paramsEntry.value, 'model')) {
      diags.error(
        joinPath(paramsPath, 'model'),
        paramsEntry.keyLine,
        'model is missing (e.g. `openai/gpt-4o`)',
      );
    }
  }

  const infoEntry = get(node, 'model_info');
  const infoPath = joinPath(path, 'model_info');
  let info: InfoResult = { pricing: {} };
  let modelInfo: Record<string, unknown> = {};
  if (infoEntry) {
    const v = infoEntry.value;
    if (v.kind === 'map') {
      info = readInfo(v, infoPath, diags);
      modelInfo = toPlain(v) as Record<string, unknown>;
    } else if (!(v.kind === 'scalar' && v.value === null)) {
      diags.error(infoPath, lineOf(infoEntry), `must be a mapping (got ${describe(v)})`);
    }
  }

  if (modelName === undefined || params?.model === undefined) return undefined;
  if (params.baseModel && info.baseModel && params.baseModel !== info.baseModel) {
    diags.warn(
      joinPath(infoPath, 'base_model'),
      infoEntry ? lineOf(infoEntry) : undefined,
      `differs from litellm_params.base_model ("${params.baseModel}"); model_info.base_model is used`,
    );
  }
  const { provider, upstreamModel } = splitModel(params.model, params.customProvider);
  const providerExplicit = params.customProvider !== undefined || params.model.indexOf('/') > 0;
  const d: DeploymentConfig = {
    modelName,
    id: info.id ?? deploymentId(modelName, params.model, params.apiBase, index),
    index,
    provider,
    upstreamModel,
    model: params.model,
    customPricing: { ...params.pricing, ...info.pricing },
    extraParams: params.extraParams,
    modelInfo,
    deploymentOptions: params.options,
    providerExplicit,
  };
  if (params.apiKey !== undefined) d.apiKey = params.apiKey;
  if (params.apiBase !== undefined) d.apiBase = params.apiBase;
  if (params.apiVersion !== undefined) d.apiVersion = params.apiVersion;
  if (params.timeout !== undefined) d.timeout = params.timeout;
  if (params.maxRetries !== undefined) d.maxRetries = params.maxRetries;
  const rpm = params.rpm ?? entryRpm ?? infoInt(modelInfo.rpm);
  const tpm = params.tpm ?? entryTpm ?? infoInt(modelInfo.tpm);
  if (rpm !== undefined) d.rpm = rpm;
  if (tpm !== undefined) d.tpm = tpm;
  if (params.mockResponse !== undefined) d.mockResponse = params.mockResponse;
  if (info.mode !== undefined) d.mode = info.mode;
  if (info.effectiveFrom !== undefined) d.pricesEffectiveFrom = info.effectiveFrom;
  const baseModel = info.baseModel ?? params.baseModel;
  if (baseModel !== undefined) d.baseModel = baseModel;
  if (node.line !== undefined) d.line = node.line;
  return d;
}
