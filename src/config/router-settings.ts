/**
 * @module config/router-settings
 * The router's part of a LiteLLM config: routing strategy, fallbacks (general, context-window, content
 * policy), cooldowns, retry policies, stream timeout, model group aliases and the Redis that several gateways
 * share. LiteLLM accepts most of these in `router_settings` and in `litellm_settings`; as in LiteLLM, the
 * router_settings value wins when both are set.
 */

import { type Diagnostics, joinPath } from './diagnostics.js';
import { readBool, readInt, readNumber, readString } from './fields.js';
import { didYouMean } from './suggest.js';
import type {
  FallbackMap,
  RetryErrorClass,
  RetryPolicyConfig,
  RouterPolicyConfig,
  RoutingStrategyName,
} from './types.js';
import { describe, get, type LEntry, type LMap, type LNode } from './yaml-tree.js';

export const ROUTING_STRATEGIES: readonly RoutingStrategyName[] = [
  'simple-shuffle',
  'least-busy',
  'latency-based-routing',
  'usage-based-routing',
  'usage-based-routing-v2',
  'cost-based-routing',
];

export const RETRY_ERROR_CLASSES: readonly RetryErrorClass[] = [
  'BadRequestError',
  'AuthenticationError',
  'TimeoutError',
  'RateLimitError',
  'ContentPolicyViolationError',
  'InternalServerError',
];

/** LiteLLM's defaults (router.py): 3 allowed failures a minute, 5 s cooldown, at most 5 fallbacks. */
export const DEFAULT_ALLOWED_FAILS = 3;
export const DEFAULT_COOLDOWN_SECONDS = 5;
export const DEFAULT_MAX_FALLBACKS = 5;
/** latency-based-routing: deployments within 10% of the fastest are equally good; a 1 h window. */
export const DEFAULT_LATENCY_BUFFER = 0;
export const DEFAULT_LATENCY_TTL_SECONDS = 3600;

/** Keys this module reads in router_settings (and, for the shared ones, in litellm_settings). */
export const ROUTER_POLICY_KEYS = [
  'routing_strategy',
  'routing_strategy_args',
  'fallbacks',
  'context_window_fallbacks',
  'content_policy_fallbacks',
  'default_fallbacks',
  'max_fallbacks',
  'allowed_fails',
  'allowed_fails_policy',
  'cooldown_time',
  'disable_cooldowns',
  'retry_policy',
  'model_group_retry_policy',
  'stream_timeout',
  'model_group_alias',
  'redis_url',
  'redis_host',
  'redis_port',
  'redis_password',
] as const;

/** The ones LiteLLM also reads from litellm_settings (module-level `litellm.fallbacks`, …). */
export const LITELLM_ROUTER_KEYS = [
  'fallbacks',
  'context_window_fallbacks',
  'content_policy_fallbacks',
  'default_fallbacks',
  'allowed_fails',
  'cooldown_time',
  'disable_cooldowns',
  'retry_policy',
  'max_fallbacks',
] as const;

/** `[{a: [b, c]}, {d: e}]` or `{a: [b, c]}` → {a: [b, c], d: [e]}. */
function readFallbacks(node: LNode, path: string, diags: Diagnostics): FallbackMap {
  const out: Record<string, string[]> = {};
  const addMap = (m: LMap, base: string) => {
    for (const e of m.entries) {
      const p = joinPath(base, e.key);
      const v = e.value;
      const names =
        v.kind === 'seq' ? v.items : v.kind === 'scalar' && typeof v.value === 'string' ? [v] : null;
      if (!names) {
        diags.error(p, e.keyLine, `must be a list of model_name values to fall back to (got ${describe(v)})`);
        continue;
      }
      const list: string[] = [];
      names.forEach((n, i) => {
        const s = readString(n, v.kind === 'seq' ? joinPath(p, i) : p, diags, { nonEmpty: true });
        if (s !== undefined && !list.includes(s)) list.push(s);
      });
      out[e.key] = [...(out[e.key] ?? []), ...list.filter((x) => !(out[e.key] ?? []).includes(x))];
    }
  };
  if (node.kind === 'map') addMap(node, path);
  else if (node.kind === 'seq') {
    node.items.forEach((it, i) => {
      if (it.kind === 'map') addMap(it, joinPath(path, i));
      else
        diags.error(
          joinPath(path, i),
          it.line,
          `must be a mapping {model_name: [fallback, …]} (got ${describe(it)})`,
        );
    });
  } else
    diags.error(
      path,
      node.line,
      `must be a list like [{"gpt-4": ["gpt-3.5-turbo"]}] (got ${describe(node)})`,
    );
  return out;
}

function readStringList(node: LNode, path: string, diags: Diagnostics): string[] {
  if (node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
  if (node.kind !== 'seq') {
    diags.error(path, node.line, `must be a list of model_name values (got ${describe(node)})`);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((it, i) => {
    const s = readString(it, joinPath(path, i), diags, { nonEmpty: true });
    if (s !== undefined) out.push(s);
  });
  return out;
}

/** `{RateLimitErrorRetries: 3, …}` (or `{RateLimitErrorAllowedFails: …}` with suffix AllowedFails). */
function readPerClass(
  node: LNode,
  path: string,
  suffix: 'Retries' | 'AllowedFails',
  diags: Diagnostics,
): Partial<Record<RetryErrorClass, number>> {
  const out: Partial<Record<RetryErrorClass, number>> = {};
  if (node.kind !== 'map') {
    diags.error(
      path,
      node.line,
      `must be a mapping like {RateLimitError${suffix}: 3} (got ${describe(node)})`,
    );
    return out;
  }
  const names = RETRY_ERROR_CLASSES.map((c) => `${c}${suffix}`);
  for (const e of node.entries) {
    const p = joinPath(path, e.key);
    const cls = RETRY_ERROR_CLASSES.find((c) => `${c}${suffix}` === e.key);
    if (!cls) {
      diags.warn(
        p,
        e.keyLine,
        `unknown key \`${e.key}\`, ignored${didYouMean(e.key, names)}; known: ${names.join(', ')}`,
      );
      continue;
    }
    const n = readInt(e.value, p, diags);
    if (n !== undefined) out[cls] = n;
  }
  return out;
}

function readAliases(node: LNode, path: string, diags: Diagnostics): Record<string, string> {
  const out: Record<string, string> = {};
  if (node.kind !== 'map') {
    diags.error(path, node.line, `must be a mapping {alias: model_name} (got ${describe(node)})`);
    return out;
  }
  for (const e of node.entries) {
    const p = joinPath(path, e.key);
    // LiteLLM also accepts {alias: {model: name, hidden: true}}.
    const target = e.value.kind === 'map' ? get(e.value, 'model')?.value : e.value;
    const s = target ? readString(target, p, diags, { nonEmpty: true }) : undefined;
    if (s !== undefined) out[e.key] = s;
    else if (!target) diags.error(p, e.keyLine, 'must name the model_name it stands for');
  }
  return out;
}

function redisUrlOf(router: LMap, diags: Diagnostics): string | undefined {
  const P = 'router_settings';
  const urlEntry = get(router, 'redis_url');
  if (urlEntry) return readString(urlEntry.value, joinPath(P, 'redis_url'), diags, { nonEmpty: true });
  const hostEntry = get(router, 'redis_host');
  if (!hostEntry) return undefined;
  const host = readString(hostEntry.value, joinPath(P, 'redis_host'), diags, { nonEmpty: true });
  if (host === undefined) return undefined;
  const portEntry = get(router, 'redis_port');
  const port = portEntry ? readInt(portEntry.value, joinPath(P, 'redis_port'), diags, { min: 1 }) : 6379;
  const pwEntry = get(router, 'redis_password');
  const password = pwEntry
    ? readString(pwEntry.value, joinPath(P, 'redis_password'), diags, { scalars: true })
    : undefined;
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  return `redis://${auth}${host}:${port ?? 6379}`;
}

/** LiteLLM's router defaults (what a config without router settings gets). */
export function defaultRouterPolicy(): RouterPolicyConfig {
  return {
    routingStrategy: 'simple-shuffle',
    latencyBuffer: DEFAULT_LATENCY_BUFFER,
    latencyTtlSeconds: DEFAULT_LATENCY_TTL_SECONDS,
    fallbacks: {},
    contextWindowFallbacks: {},
    contentPolicyFallbacks: {},
    defaultFallbacks: [],
    maxFallbacks: DEFAULT_MAX_FALLBACKS,
    allowedFails: DEFAULT_ALLOWED_FAILS,
    allowedFailsPolicy: {},
    cooldownSeconds: DEFAULT_COOLDOWN_SECONDS,
    disableCooldowns: false,
    retryPolicy: null,
    modelGroupRetryPolicy: {},
    modelGroupAlias: {},
  };
}

/** Reads the router policy; `router` wins over `litellm` for every key both may set. */
export function readRouterPolicy(
  router: LMap | undefined,
  litellm: LMap | undefined,
  diags: Diagnostics,
): RouterPolicyConfig {
  const policy = defaultRouterPolicy();
  /** The entry for `key`: router_settings first, then litellm_settings (for the shared keys). */
  const pick = (key: string): [LEntry, string] | undefined => {
    const r = router ? get(router, key) : undefined;
    if (r) return [r, joinPath('router_settings', key)];
    if (!(LITELLM_ROUTER_KEYS as readonly string[]).includes(key)) return undefined;
    const l = litellm ? get(litellm, key) : undefined;
    return l ? [l, joinPath('litellm_settings', key)] : undefined;
  };

  const strategy = pick('routing_strategy');
  if (strategy) {
    const [e, p] = strategy;
    const s = readString(e.value, p, diags, { nonEmpty: true });
    if (s !== undefined) {
      if ((ROUTING_STRATEGIES as readonly string[]).includes(s))
        policy.routingStrategy = s as RoutingStrategyName;
      else
        diags.warn(
          p,
          e.value.line,
          `unknown routing_strategy "${s}"${didYouMean(s, ROUTING_STRATEGIES)}: simple-shuffle is used; known: ${ROUTING_STRATEGIES.join(', ')}`,
        );
    }
  }
  const args = pick('routing_strategy_args');
  if (args) {
    const [e, p] = args;
    if (e.value.kind !== 'map') diags.error(p, e.value.line, `must be a mapping (got ${describe(e.value)})`);
    else {
      const buf = get(e.value, 'lowest_latency_buffer');
      if (buf) {
        const n = readNumber(buf.value, joinPath(p, 'lowest_latency_buffer'), diags);
        if (n !== undefined) policy.latencyBuffer = n;
      }
      const ttl = get(e.value, 'ttl');
      if (ttl) {
        const n = readNumber(ttl.value, joinPath(p, 'ttl'), diags, { positive: true });
        if (n !== undefined) policy.latencyTtlSeconds = n;
      }
    }
  }

  const fb = (key: string): FallbackMap => {
    const x = pick(key);
    return x ? readFallbacks(x[0].value, x[1], diags) : {};
  };
  policy.fallbacks = fb('fallbacks');
  policy.contextWindowFallbacks = fb('context_window_fallbacks');
  policy.contentPolicyFallbacks = fb('content_policy_fallbacks');
  const def = pick('default_fallbacks');
  if (def) policy.defaultFallbacks = readStringList(def[0].value, def[1], diags);

  const int = (key: string, min = 0): number | undefined => {
    const x = pick(key);
    return x ? readInt(x[0].value, x[1], diags, { min }) : undefined;
  };
  const num = (key: string): number | undefined => {
    const x = pick(key);
    return x ? readNumber(x[0].value, x[1], diags) : undefined;
  };
  policy.maxFallbacks = int('max_fallbacks') ?? policy.maxFallbacks;
  policy.allowedFails = int('allowed_fails') ?? policy.allowedFails;
  policy.cooldownSeconds = num('cooldown_time') ?? policy.cooldownSeconds;
  const dc = pick('disable_cooldowns');
  if (dc) policy.disableCooldowns = readBool(dc[0].value, dc[1], diags) ?? false;
  const afp = pick('allowed_fails_policy');
  if (afp) policy.allowedFailsPolicy = readPerClass(afp[0].value, afp[1], 'AllowedFails', diags);
  const rp = pick('retry_policy');
  if (rp) policy.retryPolicy = readPerClass(rp[0].value, rp[1], 'Retries', diags);
  const mgrp = pick('model_group_retry_policy');
  if (mgrp) {
    const [e, p] = mgrp;
    if (e.value.kind !== 'map')
      diags.error(
        p,
        e.value.line,
        `must be a mapping {model_name: {…Retries: n}} (got ${describe(e.value)})`,
      );
    else {
      const out: Record<string, RetryPolicyConfig> = {};
      for (const g of e.value.entries)
        out[g.key] = readPerClass(g.value, joinPath(p, g.key), 'Retries', diags);
      policy.modelGroupRetryPolicy = out;
    }
  }
  const st = pick('stream_timeout');
  if (st) {
    const n = readNumber(st[0].value, st[1], diags, { positive: true });
    if (n !== undefined) policy.streamTimeout = n;
  }
  const alias = pick('model_group_alias');
  if (alias) policy.modelGroupAlias = readAliases(alias[0].value, alias[1], diags);
  if (router) {
    const url = redisUrlOf(router, diags);
    if (url !== undefined) policy.redisUrl = url;
  }
  return policy;
}
