/**
 * @module config/types
 * The parsed, validated gateway configuration. Produced by config/load.ts from a LiteLLM-style
 * config.yaml; everything downstream reads only this shape.
 */

export interface ConfigDiagnostic {
  severity: 'error' | 'warning';
  /** YAML path, e.g. `model_list[2].model_info.input_cost_per_token`. */
  path: string;
  /** 1-based line in the YAML source, when known. */
  line?: number;
  message: string;
  /** The file the diagnostic is about (as given to the loader), when loaded from a file. (additive) */
  file?: string;
}

/** One entry of `model_list` after env resolution. */
export interface DeploymentConfig {
  /** The model group clients ask for (`model_name`). */
  modelName: string;
  /** `model_info.id`, or a stable id derived from the entry (index + model + api_base). */
  id: string;
  /** 0-based position in model_list. */
  index: number;
  /** Provider prefix of `litellm_params.model` (`openai`, `azure`, `anthropic`, `ollama_chat`…); `openai` if none. */
  provider: string;
  /** `litellm_params.model` without the provider prefix (e.g. the Azure deployment name). */
  upstreamModel: string;
  /** The full `litellm_params.model` string as written. */
  model: string;
  apiKey?: string;
  apiBase?: string;
  apiVersion?: string;
  /** Seconds. */
  timeout?: number;
  maxRetries?: number;
  rpm?: number;
  tpm?: number;
  /** Canned answer: when set, the gateway answers without contacting any upstream. */
  mockResponse?: string;
  /** `model_info.mode` (chat, completion, embedding, image_generation…). */
  mode?: string;
  /** `base_model` from model_info or litellm_params. */
  baseModel?: string;
  /**
   * Custom cost keys from model_info and litellm_params (model_info wins), LiteLLM key names,
   * values as exact decimal text as written in the YAML (e.g. "0.000420").
   */
  customPricing: Record<string, string>;
  /**
   * `model_info.effective_from` (ISO-8601 UTC): the custom prices apply to requests starting at or after it;
   * earlier requests are priced without them. (additive, issue 14)
   */
  pricesEffectiveFrom?: string;
  /** Other litellm_params passed through to the provider as request defaults (e.g. temperature). */
  extraParams: Record<string, unknown>;
  /** The whole model_info as written (env resolved), for /model/info. */
  modelInfo: Record<string, unknown>;
  /**
   * LiteLLM deployment options that are not request parameters (`weight`, `order`, `organization`,
   * `headers`, `stream_timeout`, `tags`, `aws_*`, `vertex_*`, `drop_params`…), env resolved. May hold
   * secrets (aws_secret_access_key): never expose. (additive)
   */
  deploymentOptions?: Record<string, unknown>;
  /** 1-based YAML line of this entry. */
  line?: number;
  /** The file the entry was read from (the config, or an `include`d file), when loaded from a file. (additive) */
  file?: string;
  /**
   * Whether `provider` was written (a `provider/` prefix or custom_llm_provider). When false, the model has no
   * prefix and the gateway routes it to the provider the price catalog names for it, as LiteLLM does. (additive)
   */
  providerExplicit?: boolean;
}

/**
 * A model_list entry that could not be loaded (a wrong value, a missing environment variable, an unknown
 * provider…): disabled, the rest of the gateway serves. (additive)
 */
export interface DisabledDeployment {
  /** model_name, when the entry has a readable one. */
  modelName?: string;
  /** litellm_params.model, when readable. */
  model?: string;
  /** Position in model_list (includes counted in order). */
  index: number;
  /** YAML path of the entry, e.g. `model_list[3]`. */
  path: string;
  line?: number;
  file?: string;
  /** Each problem formatted with its place: `config.yaml:14 model_list[3].litellm_params.api_base: …`. */
  reasons: string[];
  /** Each problem without file and line (what a client is told): `litellm_params.api_base: …`. */
  why: string[];
}

export type BudgetEnforcement = 'strict' | 'soft';

export interface GeneralSettings {
  masterKey?: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Runtime cost map: file path, http(s) URL or `builtin` (default: LiteLLM's public map). */
  costMap?: string;
  /** `cost_map_refresh_interval` in seconds; 0 = never refresh (default: daily, set by cost-map). */
  costMapRefreshIntervalSeconds?: number;
  requirePricing: boolean;
  storePromptsInSpendLogs: boolean;
  /**
   * LiteLLM's disable_spend_logs: no spend events are recorded at all (no logs, no rollups).
   * Costs are still computed and returned in headers; budgets still count in their counters.
   */
  disableSpendLogs: boolean;
  budgetEnforcement?: BudgetEnforcement;
  /** Maximum request body size in bytes. */
  maxRequestBodyBytes: number;
  /** Soft-budget alert webhook URL. */
  alertWebhookUrl?: string;
  /** Everything in general_settings as written (env resolved). */
  raw: Record<string, unknown>;
  /** `strict_config`: refuse to start on any config problem, a bad model_list entry included. (additive) */
  strictConfig?: boolean;
  /**
   * `allow_requests_on_db_unavailable`: start and serve when the database is unreachable (spend is spooled;
   * only the master key and keys already cached authenticate). (additive)
   */
  allowRequestsOnDbUnavailable?: boolean;
  /** `allowed_ips`: only these client addresses (exact IPs or CIDR ranges) may call the gateway. (additive) */
  allowedIps?: string[];
  /** `litellm_key_header_name`: a header carrying the key instead of Authorization. (additive) */
  keyHeaderName?: string;
}

export interface RouterSettings {
  /** Default retries across deployments when a deployment does not set max_retries. */
  numRetries: number;
  /** Default upstream timeout in seconds. */
  timeout: number;
  raw: Record<string, unknown>;
  /** Routing, fallbacks, cooldowns and retry policy (router_settings, else litellm_settings). (additive) */
  policy?: RouterPolicyConfig;
  /** `ignore_invalid_deployments: false`: a bad deployment refuses the start, as with strict_config. (additive) */
  strictDeployments?: boolean;
}

/** `[{group: [fallback, …]}, …]` read into a map; `*` is the fallback for every group. */
export type FallbackMap = Readonly<Record<string, readonly string[]>>;

/** Retries per error class, LiteLLM's RetryPolicy names (`RateLimitErrorRetries`…). */
export type RetryPolicyConfig = Readonly<Partial<Record<RetryErrorClass, number>>>;

export type RetryErrorClass =
  | 'BadRequestError'
  | 'AuthenticationError'
  | 'TimeoutError'
  | 'RateLimitError'
  | 'ContentPolicyViolationError'
  | 'InternalServerError';

export type RoutingStrategyName =
  | 'simple-shuffle'
  | 'least-busy'
  | 'latency-based-routing'
  | 'usage-based-routing'
  | 'usage-based-routing-v2'
  | 'cost-based-routing';

/** What the router needs from router_settings / litellm_settings, validated. */
export interface RouterPolicyConfig {
  routingStrategy: RoutingStrategyName;
  /** latency-based-routing: `lowest_latency_buffer` (0..1) and `ttl` seconds of the latency window. */
  latencyBuffer: number;
  latencyTtlSeconds: number;
  fallbacks: FallbackMap;
  contextWindowFallbacks: FallbackMap;
  contentPolicyFallbacks: FallbackMap;
  /** `default_fallbacks`: used for any group without its own fallbacks. */
  defaultFallbacks: readonly string[];
  /** At most this many fallback groups per request (LiteLLM's max_fallbacks, default 5). */
  maxFallbacks: number;
  /** Failures per minute a deployment may have before it is cooled down (LiteLLM default 3). */
  allowedFails: number;
  /** `allowed_fails_policy`: per error class. */
  allowedFailsPolicy: Readonly<Partial<Record<RetryErrorClass, number>>>;
  /** Seconds a deployment is skipped after too many failures (LiteLLM default 5). */
  cooldownSeconds: number;
  disableCooldowns: boolean;
  retryPolicy: RetryPolicyConfig | null;
  /** `model_group_retry_policy`: per model group. */
  modelGroupRetryPolicy: Readonly<Record<string, RetryPolicyConfig>>;
  /** `stream_timeout` seconds for streaming calls (deployment stream_timeout wins). */
  streamTimeout?: number;
  /** `model_group_alias`: requested name → model group. */
  modelGroupAlias: Readonly<Record<string, string>>;
  /** Redis for state shared by several gateways (usage/latency/in-flight), from redis_url or redis_host/port/password. */
  redisUrl?: string;
}

export interface GatewayConfig {
  deployments: DeploymentConfig[];
  /** model_list entries that could not be loaded (disabled; see DisabledDeployment). (additive) */
  disabledDeployments?: DisabledDeployment[];
  /** Loaded with `--strict` or general_settings.strict_config: any deployment problem refuses to start. (additive) */
  strict?: boolean;
  generalSettings: GeneralSettings;
  routerSettings: RouterSettings;
  litellmSettings: Record<string, unknown>;
  /** Non-fatal problems (unknown keys, unsupported settings…). */
  warnings: ConfigDiagnostic[];
  /** Absolute path of the file, when loaded from one. */
  sourcePath?: string;
  /**
   * The top-level `environment_variables` section (values as strings, env resolved). Already used to
   * resolve `os.environ/` references in this config; the loader does not write them to process.env. (additive)
   */
  environmentVariables?: Record<string, string>;
}
