/**
 * @module providers/registry
 * Provider prefix (`litellm_params.model` = `<provider>/<model>`) → family.
 * `sagemaker/` and `bedrock/` have no wire format here yet: `getFamily` returns undefined for them;
 * `familyForDeployment` serves them as OpenAI-compatible when the deployment has an api_base (e.g. an
 * OpenAI-compatible endpoint in front of SageMaker). A deployment with `mock_response` is served by the
 * mock family whatever its prefix.
 */
import type { DeploymentConfig } from '../config/types.js';
import { anthropicFamily } from './anthropic/anthropic-family.js';
import { azureFamily } from './azure/azure-family.js';
import { cohereFamily } from './cohere/cohere-family.js';
import { mockFamily } from './mock/mock-family.js';
import { ollamaChatFamily, ollamaFamily } from './ollama/ollama-family.js';
import { createOpenAiCompatibleFamily } from './openai-compatible/openai-family.js';
import { apiBaseOnlySpec, OPENAI_COMPATIBLE } from './openai-compatible/openai-providers.js';
import { withResponsesViaChat } from './responses/responses-via-chat.js';
import type { ProviderFamily } from './types.js';

const families = new Map<string, ProviderFamily>();
for (const [name, spec] of Object.entries(OPENAI_COMPATIBLE))
  families.set(name, createOpenAiCompatibleFamily(spec));
families.set('azure', azureFamily);
families.set('azure_text', azureFamily);
families.set('anthropic', anthropicFamily);
families.set('ollama', ollamaFamily);
families.set('ollama_chat', ollamaChatFamily);
families.set('cohere', cohereFamily);
// Every family that serves chat also serves the Responses API (natively, or translated to chat).
for (const [name, family] of families) families.set(name, withResponsesViaChat(family));

/** Prefixes that are recognised but only usable through an OpenAI-compatible api_base. */
export const API_BASE_ONLY_PROVIDERS: readonly string[] = ['sagemaker', 'sagemaker_chat', 'bedrock'];

/** Every provider prefix with a wire implementation. */
export const KNOWN_PROVIDERS: readonly string[] = [...families.keys()];

export { mockFamily };

export function getFamily(provider: string): ProviderFamily | undefined {
  return families.get(provider);
}

const apiBaseFamilies = new Map<string, ProviderFamily>();

/** The family serving a deployment: mock_response, its prefix's family, or the api_base fallback. */
export function familyForDeployment(d: DeploymentConfig): ProviderFamily | undefined {
  if (d.mockResponse !== undefined) return mockFamily;
  const direct = families.get(d.provider);
  if (direct || !d.apiBase || !API_BASE_ONLY_PROVIDERS.includes(d.provider)) return direct;
  let f = apiBaseFamilies.get(d.provider);
  if (!f) {
    f = withResponsesViaChat(createOpenAiCompatibleFamily(apiBaseOnlySpec(d.provider)));
    apiBaseFamilies.set(d.provider, f);
  }
  return f;
}
