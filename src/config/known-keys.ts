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
  'policies',
  'policy_attachments',
  'search_tools',
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
  'aws_sts_endpoint',
  'aws_external_id',
  'aws_web_identity_token',
  'sagemaker_base_url',
  'aws_sagemaker_allow_zero_temp',
  // Bedrock: the model id or ARN to call when it differs from `model` (e.g. provisioned throughput);
  // SageMaker: the inference component name.
  'model_id',
  // Prompt template for text-generation endpoints (LiteLLM's custom prompt templates).
  'hf_model_name',
  'roles',
  'initial_prompt_value',
  'final_prompt_value',
  'bos_token',
  'eos_token',
  'vertex_project',
  'vertex_location',
  'vertex_credentials',
  // LiteLLM's aliases of the three above.
  'vertex_ai_project',
  'vertex_ai_location',
  'vertex_ai_credentials',
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
export const MODEL_INFO_TYPED = ['id', 'mode', 'base_model', 'effective_from'] as const;

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
  'strict_config',
  'allow_requests_on_db_unavailable',
  'allowed_ips',
  'litellm_key_header_name',
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
  'allow_client_side_credentials',
  'allow_user_auth',
  'allowed_routes',
  'admin_only_routes',
  'completion_model',
  'custom_auth',
  'custom_key_generate',
  'custom_sso',
  'default_team_disabled',
  'disable_auth',
  'disable_responses_id_security',
  'disable_spend_updates',
  'embedding_model',
  'enable_key_management',
  'enable_oauth2_proxy_auth',
  'enforced_params',
  'image_generation_model',
  'json_logs',
  'litellm_license',
  'moderation_model',
  'oauth2_config_mappings',
  'proxy_batch_polling_interval',
  'reject_clientside_metadata_tags',
  'spend_report_frequency',
  'ui',
  'use_azure_key_vault',
  'use_google_kms',
  'use_x_forwarded_for',
  'user_header_mappings',
  'user_mcp_management_mode',
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
export const ROUTER_SETTINGS_TYPED = ['num_retries', 'timeout', 'ignore_invalid_deployments'] as const;

/**
 * LiteLLM router_settings keys accepted but not acted on (listed in one warning). The ones Tollgate acts on
 * are ROUTER_SETTINGS_TYPED here and ROUTER_POLICY_KEYS in router-settings.ts.
 */
export const ROUTER_SETTINGS_IGNORED = [
  'retry_after',
  'enable_pre_call_checks',
  'enable_pre_call_check',
  'enable_tag_filtering',
  'tag_filtering_match_any',
  'redis_db',
  'cache_responses',
  'cache_kwargs',
  'caching_groups',
  'client_ttl',
  'optional_pre_call_checks',
  'provider_budget_config',
  'debug_level',
  'default_max_parallel_requests',
  'default_priority',
  'polling_interval',
  'default_litellm_params',
  'set_verbose',
  'deployment_affinity_ttl_seconds',
  'model_group_affinity_config',
  'search_tools',
  'guardrail_list',
  'router_general_settings',
  'alerting_config',
  'assistants_config',
] as const;

/**
 * litellm_settings keys Tollgate acts on. Everything else is accepted and listed in one warning.
 * `num_retries` / `request_timeout` are the fallbacks for router_settings.num_retries / timeout.
 */
export const LITELLM_SETTINGS_ACTED_ON = [
  'num_retries',
  'request_timeout',
  'drop_params',
  // response cache, telemetry callbacks, Prometheus options
  'cache',
  'cache_params',
  'callbacks',
  'success_callback',
  'failure_callback',
  'enable_end_user_cost_tracking_prometheus_only',
] as const;

/**
 * litellm_params options no provider family in this build uses (warned per entry). Provider credentials and
 * regions (aws_*, vertex_*, region_name) are not listed: the family of their provider reads them.
 */
export const LITELLM_PARAMS_NOT_ACTED_ON = [
  'headers',
  'extra_headers',
  'organization',
  'tags',
  'drop_params',
  'additional_drop_params',
  'use_in_pass_through',
  'merge_reasoning_content_in_choices',
  'configurable_clientside_auth_params',
  'max_budget',
  'budget_duration',
  'litellm_credential_name',
] as const;
