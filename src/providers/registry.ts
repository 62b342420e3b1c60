/**
 * @module providers/registry
 * Provider prefix (`litellm_params.model` = `<provider>/<model>`) → family. A deployment with
 * `mock_response` is served by the mock family whatever its prefix.
 */
import type { DeploymentConfig } from '../config/types.js';
import { anthropicFamily } from './anthropic/anthropic-family.js';
import { azureFamily } from './azure/azure-family.js';
import { bedrockFamily } from './bedrock/bedrock-family.js';
import { cohereChatFamily, cohereFamily } from './cohere/cohere-family.js';
import { geminiFamily } from './gemini/gemini-family.js';
import { mockFamily } from './mock/mock-family.js';
import { ollamaChatFamily, ollamaFamily } from './ollama/ollama-family.js';
import { createOpenAiCompatibleFamily } from './openai-compatible/openai-family.js';
import { OPENAI_COMPATIBLE } from './openai-compatible/openai-providers.js';
import { withResponsesViaChat } from './responses/responses-via-chat.js';
import { sagemakerChatFamily, sagemakerFamily } from './sagemaker/sagemaker-family.js';
import type { ProviderFamily } from './types.js';
import { vertexFamily } from './vertex/vertex-family.js';

const families = new Map<string, ProviderFamily>();
for (const [name, spec] of Object.entries(OPENAI_COMPATIBLE))
  families.set(name, createOpenAiCompatibleFamily(spec));
families.set('azure', azureFamily);
families.set('azure_text', azureFamily);
families.set('anthropic', anthropicFamily);
families.set('gemini', geminiFamily);
families.set('vertex_ai', vertexFamily);
families.set('ollama', ollamaFamily);
families.set('ollama_chat', ollamaChatFamily);
families.set('bedrock', bedrockFamily);
families.set('sagemaker', sagemakerFamily);
families.set('sagemaker_chat', sagemakerChatFamily);
families.set('cohere', cohereFamily);
families.set('cohere_chat', cohereChatFamily);
// Every family that serves chat also serves the Responses API (natively, or translated to chat).
for (const [name, family] of families) families.set(name, withResponsesViaChat(family));

/** Every provider prefix with a wire implementation. */
export const KNOWN_PROVIDERS: readonly string[] = [...families.keys()];

export { mockFamily };

export function getFamily(provider: string): ProviderFamily | undefined {
  return families.get(provider);
}

/** The family serving a deployment: mock_response, else its prefix's family. */
export function familyForDeployment(d: DeploymentConfig): ProviderFamily | undefined {
  if (d.mockResponse !== undefined) return mockFamily;
  return families.get(d.provider);
}
