/**
 * @module gateway/model-directory
 * Which deployments serve a requested model name, as LiteLLM resolves it: an exact `model_name`, a
 * `model_group_alias`, else the most specific wildcard entry (`"*"`, `"openai/*"`, `"claude-*"`), made concrete for
 * that name (its provider routed, priced from the catalog, or unpriced with a warning) and kept in a bounded cache.
 * A name whose every deployment is disabled is answered with the reason. Also what `/v1/models` lists for
 * wildcards: the catalog's models of that provider (LiteLLM's `models_by_provider`).
 */
import { splitModel } from '../config/deployment.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Catalog } from '../pricing/index.js';
import type { CallType } from '../providers/types.js';
import { buildModelGroups, type ModelGroup } from '../router/model-groups.js';
import {
  buildPatterns,
  compilePattern,
  concreteModel,
  matchPattern,
  type WildcardPattern,
} from '../router/wildcards.js';
import { buildRuntime, type DeploymentRuntime, type DisabledRuntime } from './deployment-runtime.js';
import { prefixForCatalogProvider } from './provider-routing.js';

/** Requested names made concrete through a wildcard are cached, up to this many. */
const MAX_CONCRETE = 1024;
/** Longest model name accepted through a wildcard (client-controlled). */
export const MAX_MODEL_NAME_LENGTH = 256;

export interface DirectoryInput {
  runtimes: readonly DeploymentRuntime[];
  wildcards?: readonly DeploymentRuntime[];
  disabled?: readonly DisabledRuntime[];
  aliases?: Readonly<Record<string, string>>;
  catalog: () => Catalog;
  requirePricing?: boolean;
  logger?: Logger;
}

export type Resolution =
  | { kind: 'group'; group: ModelGroup<DeploymentRuntime> }
  | { kind: 'unsupported'; group: ModelGroup<DeploymentRuntime> }
  | { kind: 'disabled'; disabled: readonly DisabledRuntime[] }
  | { kind: 'unknown' };

function validName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_MODEL_NAME_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

export class ModelDirectory {
  readonly groups: Map<string, ModelGroup<DeploymentRuntime>>;
  private readonly byCallType = new Map<CallType, Map<string, ModelGroup<DeploymentRuntime>>>();
  private readonly patterns: WildcardPattern<DeploymentRuntime>[];
  private readonly concrete = new Map<string, ModelGroup<DeploymentRuntime> | string[]>();
  private readonly disabledByName = new Map<string, DisabledRuntime[]>();
  readonly disabled: readonly DisabledRuntime[];
  private readonly aliases: Readonly<Record<string, string>>;

  constructor(private readonly input: DirectoryInput) {
    this.groups = buildModelGroups(input.runtimes);
    this.patterns = buildPatterns(input.wildcards ?? []);
    this.disabled = input.disabled ?? [];
    this.aliases = input.aliases ?? {};
    for (const d of this.disabled) {
      if (!d.modelName) continue;
      const list = this.disabledByName.get(d.modelName);
      if (list) list.push(d);
      else this.disabledByName.set(d.modelName, [d]);
    }
  }

  /** Configured model names (exact groups, then aliases, then wildcard patterns), for messages. */
  names(): string[] {
    const out = [...this.groups.keys()];
    for (const a of Object.keys(this.aliases)) if (!out.includes(a)) out.push(a);
    for (const p of this.patterns) if (!out.includes(p.pattern)) out.push(p.pattern);
    return out;
  }

  /** Every served runtime with a fixed name (not the wildcard templates), for /model/info and pricing. */
  runtimes(): DeploymentRuntime[] {
    return [...this.groups.values()].flatMap((g) => g.members);
  }

  wildcards(): readonly DeploymentRuntime[] {
    return this.input.wildcards ?? [];
  }

  private forCallType(callType: CallType): Map<string, ModelGroup<DeploymentRuntime>> {
    let m = this.byCallType.get(callType);
    if (!m) {
      m = buildModelGroups(this.runtimes().filter((rt) => rt.callTypes.has(callType)));
      this.byCallType.set(callType, m);
    }
    return m;
  }

  /** The deployments of `name` (exact, alias, wildcard), restricted to `callType`. */
  resolve(name: string, callType: CallType): Resolution {
    const target = this.groups.has(name) ? name : (this.aliases[name] ?? name);
    const exact = this.groups.get(target);
    if (exact) {
      const g = this.forCallType(callType).get(target);
      return g ? { kind: 'group', group: g } : { kind: 'unsupported', group: exact };
    }
    const disabled = this.disabledByName.get(target);
    const viaPattern = this.viaWildcard(target);
    if (Array.isArray(viaPattern)) {
      if (disabled) return { kind: 'disabled', disabled };
      throw new GatewayError(
        'TG_ERR_DEPLOYMENT_DISABLED',
        `Model "${name}" matches a wildcard deployment that cannot serve it: ${viaPattern.join('; ')}.`,
        { param: 'model' },
      );
    }
    if (viaPattern) {
      const members = viaPattern.members.filter((m) => m.callTypes.has(callType));
      return members.length > 0
        ? { kind: 'group', group: { ...viaPattern, members } }
        : { kind: 'unsupported', group: viaPattern };
    }
    if (disabled) return { kind: 'disabled', disabled };
    return { kind: 'unknown' };
  }

  /** Members of a fallback group for this call type, or undefined when it is no (servable) model group. */
  lookup(name: string, callType: CallType): readonly DeploymentRuntime[] | undefined {
    try {
      const r = this.resolve(name, callType);
      return r.kind === 'group' ? r.group.members : undefined;
    } catch {
      return undefined;
    }
  }

  /** A group made concrete for `name` through the best wildcard, the reasons it cannot be, or null. */
  private viaWildcard(name: string): ModelGroup<DeploymentRuntime> | string[] | null {
    if (this.patterns.length === 0 || !validName(name)) return null;
    const hit = this.concrete.get(name);
    if (hit) {
      // Refresh its place: the cache evicts the least recently used.
      this.concrete.delete(name);
      this.concrete.set(name, hit);
      return hit;
    }
    const m = matchPattern(this.patterns, name);
    if (!m) return null;
    const members: DeploymentRuntime[] = [];
    const reasons: string[] = [];
    for (const t of m.pattern.members) {
      const r = this.concretize(t, name, m.captures);
      if (r.runtime) members.push(r.runtime);
      else reasons.push(...r.reasons);
    }
    const out: ModelGroup<DeploymentRuntime> | string[] =
      members.length > 0 ? (buildModelGroups(members).get(name) as ModelGroup<DeploymentRuntime>) : reasons;
    if (this.concrete.size >= MAX_CONCRETE) this.concrete.delete(this.concrete.keys().next().value as string);
    this.concrete.set(name, out);
    return out;
  }

  private concretize(t: DeploymentRuntime, name: string, captures: string[]) {
    const tc = t.config;
    const model = concreteModel(tc.model, captures);
    const custom = tc.providerExplicit && !tc.model.includes('/') ? tc.provider : undefined;
    const { provider, upstreamModel } = splitModel(model, custom);
    const config = {
      ...tc,
      modelName: name,
      model,
      provider,
      upstreamModel,
      providerExplicit: custom !== undefined || model.indexOf('/') > 0,
    };
    const r = buildRuntime(config, this.input.catalog(), this.input.requirePricing === true);
    const where = `wildcard deployment "${tc.modelName}" (model_list[${tc.index}])`;
    if (r.runtime?.pricing.unpriced) {
      this.input.logger?.warn(
        `${where} serves "${name}" as ${model}, which is not in the price catalog: recorded as unpriced (cost 0, flagged); set model_info prices on the wildcard entry or load a newer cost map`,
      );
    }
    return { runtime: r.runtime, reasons: r.reasons.map((x) => `${where}: ${x}`) };
  }

  /**
   * What `/v1/models` lists: exact names, aliases, and for each wildcard the catalog's models it would serve
   * (`openai/*` → every OpenAI model as `openai/<name>`; `*` → the models of the template's provider, or of
   * every provider whose API key variable is set when the template is a bare `*`). `routes` adds the patterns.
   */
  listModels(env: NodeJS.ProcessEnv, routes = false): string[] {
    const out = new Set<string>([...this.groups.keys(), ...Object.keys(this.aliases)]);
    if (this.patterns.length > 0) {
      const catalog = this.input.catalog();
      for (const p of this.patterns) {
        if (routes) out.add(p.pattern);
        for (const t of p.members) for (const n of expandWildcard(p.pattern, t, catalog, env)) out.add(n);
      }
    }
    return [...out];
  }
}

/** Catalog keys that are model names (not `1024-x-1024/dall-e-3` size variants or the sample entry). */
function isModelKey(key: string): boolean {
  return (
    key !== 'sample_spec' &&
    !/^(?:[a-z]+\/)?\d+-x-\d+\//.test(key) &&
    !/^(?:hd|standard|low|medium|high)\//.test(key)
  );
}

/** The catalog names a wildcard entry serves (bounded by the catalog). */
export function expandWildcard(
  pattern: string,
  t: DeploymentRuntime,
  catalog: Catalog,
  env: NodeJS.ProcessEnv,
): string[] {
  const regex = compilePattern(pattern);
  const slash = pattern.indexOf('/');
  const patternProvider =
    slash > 0 && !pattern.slice(0, slash).includes('*') ? pattern.slice(0, slash) : null;
  const templateProvider = t.config.providerExplicit ? t.config.provider : null;
  let providers: Set<string> | null = null;
  if (patternProvider) providers = new Set([patternProvider]);
  else if (templateProvider) providers = new Set([templateProvider]);
  const out: string[] = [];
  for (const key of catalog.keys()) {
    if (!isModelKey(key)) continue;
    const lp = catalog.get(key)?.litellm_provider;
    if (typeof lp !== 'string') continue;
    const p = prefixForCatalogProvider(lp);
    if (providers ? !providers.has(p) : !env[`${p.toUpperCase()}_API_KEY`]) continue;
    const bare = key.startsWith(`${p}/`) ? key.slice(p.length + 1) : key;
    const name = patternProvider ? `${p}/${bare}` : bare;
    if (regex.test(name)) out.push(name);
  }
  return out.sort();
}
