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
}

export interface RouterSettings {
  /** Default retries across deployments when a deployment does not set max_retries. */
  numRetries: number;
  /** Default upstream timeout in seconds. */
  timeout: number;
  raw: Record<string, unknown>;
}

export interface GatewayConfig {
  deployments: DeploymentConfig[];
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
