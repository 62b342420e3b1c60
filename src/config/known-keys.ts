/**
 * @module config/known-keys
 * The key names Tollgate knows in each config section: the ones it acts on, and the LiteLLM ones it
 * accepts without acting on them. Used for validation, "did you mean" suggestions and the
 * "accepted but not acted on" warnings. Edit here when Tollgate starts supporting a setting.
 */

export const TOP_LEVEL_KEYS = [
  'model_list',
  'general_settings',
  'litellm_settings',
  'router_settings',
  'environment_variables',
  'include',
] as const;

/** LiteLLM top-level sections Tollgate accepts but ignores (one warning). */
export const TOP_LEVEL_IGNORED = [
  'guardrails',
  'callback_settings',
  'credential_list',
  'mcp_servers',
  'files_settings',
  'finetune_settings',
  'assistant_settings',
  'vector_store_registry',
] as const;

export const MODEL_ENTRY_KEYS = ['model_name', 'litellm_params', 'llm_params', 'model_info'] as const;

/** litellm_params keys read into typed DeploymentConfig fields. */
export const LITELLM_PARAMS_TYPED = [
  'model',
  'api_key',
  'api_base',
  'api_version',
  'timeout',
  'max_retries',
  'rpm',
  'tpm',
  'mock_response',
  'base_model',
  'custom_llm_provider',
] as const;

/**
 * LiteLLM deployment options that are not request-body parameters: they go to
 * DeploymentConfig.deploymentOptions, not extraParams.
 */
export const LITELLM_PARAMS_OPTIONS = [
  'stream_timeout',
  'weight',
  'order',
  'organization',
  'headers',
  'extra_headers',
  'tags',
  'region_name',
  'aws_region_name',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_profile_name',
  'aws_role_name',
  'aws_session_name',
  'aws_bedrock_runtime_endpoint',
  'vertex_project',
  'vertex_location',
  'vertex_credentials',
  'litellm_credential_name',
  'drop_params',
  'additional_drop_params',
  'use_in_pass_through',
  'merge_reasoning_content_in_choices',
  'configurable_clientside_auth_params',
  'max_budget',
  'budget_duration',
] as const;

/** Common request parameters (pass-through defaults); known so that they are never flagged as typos. */
export const REQUEST_PARAMS = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'n',
  'stop',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'user',
  'response_format',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning_effort',
  'thinking',
  'modalities',
  'audio',
  'prediction',
  'service_tier',
  'store',
  'metadata',
  'extra_body',
  'stream',
  'stream_options',
  'num_ctx',
  'keep_alive',
  'format',
  'safe_prompt',
  'random_seed',
  'dimensions',
  'encoding_format',
  'size',
  'quality',
  'style',
  'input_type',
  'web_search_options',
  'verbosity',
] as const;

/** model_info keys read into typed fields (besides the cost keys). */
export const MODEL_INFO_TYPED = ['id', 'mode', 'base_model'] as const;

/** Other model_info keys LiteLLM knows (catalog fields and proxy bookkeeping); kept as-is. */
export const MODEL_INFO_KNOWN = [
  'max_tokens',
  'max_input_tokens',
  'max_output_tokens',
  'litellm_provider',
  'supported_endpoints',
  'supported_modalities',
  'supported_output_modalities',
  'supported_regions',
  'supports_function_calling',
  'supports_parallel_function_calling',
  'supports_vision',
  'supports_prompt_caching',
  'supports_reasoning',
  'supports_response_schema',
  'supports_system_messages',
  'supports_tool_choice',
  'supports_audio_input',
  'supports_audio_output',
  'supports_pdf_input',
  'supports_web_search',
  'supports_computer_use',
  'supports_native_streaming',
  'supports_assistant_prefill',
  'supports_embedding_image_input',
  'supports_url_context',
  'supports_video_input',
  'supports_service_tier',
  'tiered_pricing',
  'deprecation_date',
  'output_vector_size',
  'tpm',
  'rpm',
  'description',
  'access_groups',
  'team_id',
  'team_public_model_name',
  'db_model',
  'tier',
  'health_check_model',
  'health_check_timeout',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'direct_access',
  'key',
] as const;

export const MODES = [
  'chat',
  'completion',
  'embedding',
  'image_generation',
  'audio_transcription',
  'audio_speech',
  'moderation',
  'rerank',
  'responses',
  'search',
  'ocr',
  'video_generation',
  'vector_store',
  'batch',
  'image_edit',
  'realtime',
] as const;

/** general_settings keys Tollgate acts on. */
export const GENERAL_SETTINGS_TYPED = [
  'master_key',
  'database_url',
  'redis_url',
  'cost_map',
  'cost_map_refresh_interval',
  'require_pricing',
  'store_prompts_in_spend_logs',
  'disable_spend_logs',
  'budget_enforcement',
  'max_request_body_bytes',
  'max_request_size_mb',
  'alert_webhook_url',
  'alerting',
  // issue 17: alerts, models in the database, spend-log retention, health checks
  'alert_to_webhook_url',
  'alerting_threshold',
  'alert_types',
  'alerting_args',
  'store_model_in_db',
  'maximum_spend_logs_retention_period',
  'maximum_spend_logs_retention_interval',
  'background_health_checks',
  'health_check_interval',
] as const;

/** LiteLLM general_settings keys accepted but not acted on (listed in one warning). */
export const GENERAL_SETTINGS_IGNORED = [
  'allow_requests_on_db_unavailable',
  'allowed_routes',
  'admin_only_routes',
  'completion_model',
  'custom_auth',
  'custom_key_generate',
  'database_connection_pool_limit',
  'database_connection_timeout',
  'disable_adding_master_key_hash_to_db',
  'disable_master_key_return',
  'disable_prisma_schema_update',
  'disable_reset_budget',
  'disable_retry_on_max_parallel_request_limit_error',
  'disable_error_logs',
  'enable_jwt_auth',
  'enable_oauth2_auth',
  'enforce_user_param',
  'forward_client_headers_to_llm_api',
  'forward_openai_org_id',
  'global_max_parallel_requests',
  'health_check_details',
  'infer_model_from_keys',
  'key_management_settings',
  'key_management_system',
  'litellm_jwtauth',
  'max_parallel_requests',
  'max_response_size_mb',
  'pass_through_endpoints',
  'proxy_batch_write_at',
  'proxy_budget_rescheduler_min_time',
  'proxy_budget_rescheduler_max_time',
  'public_routes',
  'service_account_settings',
  'supported_db_objects',
  'ui_access_mode',
  'use_client_credentials_pass_through_routes',
  'use_redis_transaction_buffer',
  'user_header_name',
  'user_api_key_cache_ttl',
] as const;

/** router_settings keys Tollgate acts on. */
export const ROUTER_SETTINGS_TYPED = ['num_retries', 'timeout'] as const;

/** LiteLLM router_settings keys accepted but not acted on (listed in one warning). */
export const ROUTER_SETTINGS_IGNORED = [
  'routing_strategy',
  'routing_strategy_args',
  'model_group_alias',
  'fallbacks',
  'context_window_fallbacks',
  'content_policy_fallbacks',
  'default_fallbacks',
  'allowed_fails',
  'allowed_fails_policy',
  'cooldown_time',
  'disable_cooldowns',
  'retry_policy',
  'retry_after',
  'enable_pre_call_checks',
  'enable_tag_filtering',
  'redis_host',
  'redis_port',
  'redis_password',
  'redis_url',
  'cache_responses',
  'stream_timeout',
  'max_fallbacks',
  'optional_pre_call_checks',
  'provider_budget_config',
  'model_group_retry_policy',
  'debug_level',
] as const;

/**
 * litellm_settings keys Tollgate acts on. Everything else is accepted and listed in one warning.
 * `num_retries` / `request_timeout` are the fallbacks for router_settings.num_retries / timeout.
 */
export const LITELLM_SETTINGS_ACTED_ON = [
  'num_retries',
  'request_timeout',
  'drop_params',
  'set_verbose',
  // issue 17: response cache, telemetry callbacks, Prometheus options
  'cache',
  'cache_params',
  'callbacks',
  'success_callback',
  'failure_callback',
  'enable_end_user_cost_tracking_prometheus_only',
] as const;
