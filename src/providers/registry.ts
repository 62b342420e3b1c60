/**
 * @module providers/registry
 * Provider prefix (`litellm_params.model` = `<provider>/<model>`) → adapter.
 * `sagemaker/` and `bedrock/` have no wire format here: `getAdapter` returns undefined for them;
 * `getAdapterForDeployment` serves them as OpenAI-compatible when the deployment has an api_base
 * (e.g. an OpenAI-compatible endpoint in front of SageMaker).
 */
import type { DeploymentConfig } from '../config/types.js';
import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { azureAdapter } from './azure/azure-adapter.js';
import { ollamaAdapter, ollamaChatAdapter } from './ollama/ollama-adapter.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible/openai-adapter.js';
import { apiBaseOnlySpec, OPENAI_COMPATIBLE } from './openai-compatible/openai-providers.js';
import type { ProviderAdapter } from './types.js';

const adapters = new Map<string, ProviderAdapter>();
for (const [name, spec] of Object.entries(OPENAI_COMPATIBLE))
  adapters.set(name, createOpenAiCompatibleAdapter(spec));
adapters.set('azure', azureAdapter);
adapters.set('azure_text', azureAdapter);
adapters.set('anthropic', anthropicAdapter);
adapters.set('ollama', ollamaAdapter);
adapters.set('ollama_chat', ollamaChatAdapter);

/** Prefixes that are recognised but only usable through an OpenAI-compatible api_base. */
export const API_BASE_ONLY_PROVIDERS: readonly string[] = ['sagemaker', 'sagemaker_chat', 'bedrock'];

/** Every provider prefix with a wire implementation. */
export const KNOWN_PROVIDERS: readonly string[] = [...adapters.keys()];

export function getAdapter(provider: string): ProviderAdapter | undefined {
  return adapters.get(provider);
}

const apiBaseAdapters = new Map<string, ProviderAdapter>();

/** Like getAdapter, plus the api_base fallback for sagemaker/bedrock-style prefixes. */
export function getAdapterForDeployment(d: DeploymentConfig): ProviderAdapter | undefined {
  const direct = adapters.get(d.provider);
  if (direct || !d.apiBase || !API_BASE_ONLY_PROVIDERS.includes(d.provider)) return direct;
  let a = apiBaseAdapters.get(d.provider);
  if (!a) {
    a = createOpenAiCompatibleAdapter(apiBaseOnlySpec(d.provider));
    apiBaseAdapters.set(d.provider, a);
  }
  return a;
}
