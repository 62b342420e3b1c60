/**
 * @module providers/openai-compatible/openai-providers
 * The OpenAI-compatible providers as data: default base URL and where their key comes from.
 * Adding one is one entry here: the registry turns every entry into a family.
 */
import type { Usage } from '../../pricing/usage.js';
import type { EndpointSpec } from '../shared/credentials.js';
import type { MediaCallType } from './openai-media.js';

export interface OpenAiCompatibleSpec extends EndpointSpec {
  /**
   * `text-completion-openai`: chat requests are sent to `/completions` with the messages
   * flattened into a prompt, and the answer mapped back to a chat completion.
   */
  chatViaCompletions?: boolean;
  /** The provider's usage convention when it differs from OpenAI's (default: `usageFromOpenAi`). */
  convertUsage?: (raw: unknown) => Usage | null;
  /** A native `/responses` endpoint (else the Responses API is translated to chat completions). */
  nativeResponses?: boolean;
  /** The OpenAI-format endpoints it serves beyond chat/completions/embeddings/images (audio, rerank…). */
  media?: readonly MediaCallType[];
}

/** What OpenAI itself serves. */
const OPENAI_MEDIA: readonly MediaCallType[] = [
  'transcription',
  'translation',
  'speech',
  'image_edit',
  'image_variation',
  'moderation',
];

function spec(
  provider: string,
  defaultBase: string | undefined,
  keyEnv: readonly string[],
  baseEnv: readonly string[],
  keyRequired = true,
): OpenAiCompatibleSpec {
  return { provider, defaultBase, keyEnv, baseEnv, keyRequired };
}

export const OPENAI_COMPATIBLE: Readonly<Record<string, OpenAiCompatibleSpec>> = {
  openai: {
    ...spec(
      'openai',
      'https://api.openai.com/v1',
      ['OPENAI_API_KEY'],
      ['OPENAI_API_BASE', 'OPENAI_BASE_URL'],
    ),
    nativeResponses: true,
    media: OPENAI_MEDIA,
  },
  'text-completion-openai': {
    ...spec('text-completion-openai', 'https://api.openai.com/v1', ['OPENAI_API_KEY'], ['OPENAI_API_BASE']),
    chatViaCompletions: true,
  },
  groq: {
    ...spec('groq', 'https://api.groq.com/openai/v1', ['GROQ_API_KEY'], ['GROQ_API_BASE']),
    media: ['transcription', 'translation'],
  },
  together_ai: {
    ...spec(
      'together_ai',
      'https://api.together.xyz/v1',
      ['TOGETHERAI_API_KEY', 'TOGETHER_AI_API_KEY', 'TOGETHER_API_KEY'],
      ['TOGETHERAI_API_BASE'],
    ),
    media: ['rerank'],
  },
  jina_ai: {
    ...spec('jina_ai', 'https://api.jina.ai/v1', ['JINA_AI_API_KEY', 'JINA_API_KEY'], ['JINA_AI_API_BASE']),
    media: ['rerank'],
  },
  deepseek: spec('deepseek', 'https://api.deepseek.com/v1', ['DEEPSEEK_API_KEY'], ['DEEPSEEK_API_BASE']),
  mistral: spec('mistral', 'https://api.mistral.ai/v1', ['MISTRAL_API_KEY'], ['MISTRAL_API_BASE']),
  fireworks_ai: spec(
    'fireworks_ai',
    'https://api.fireworks.ai/inference/v1',
    ['FIREWORKS_AI_API_KEY', 'FIREWORKS_API_KEY', 'FIREWORKSAI_API_KEY'],
    ['FIREWORKS_AI_API_BASE'],
  ),
  openrouter: spec(
    'openrouter',
    'https://openrouter.ai/api/v1',
    ['OPENROUTER_API_KEY'],
    ['OPENROUTER_API_BASE'],
  ),
  xai: spec('xai', 'https://api.x.ai/v1', ['XAI_API_KEY'], ['XAI_API_BASE']),
  // Self-hosted servers: no default base (except LM Studio's well-known local port), key optional.
  hosted_vllm: {
    ...spec('hosted_vllm', undefined, ['HOSTED_VLLM_API_KEY'], ['HOSTED_VLLM_API_BASE'], false),
    media: ['rerank'],
  },
  lm_studio: spec(
    'lm_studio',
    'http://localhost:1234/v1',
    ['LM_STUDIO_API_KEY'],
    ['LM_STUDIO_API_BASE'],
    false,
  ),
  custom_openai: spec('custom_openai', undefined, ['CUSTOM_OPENAI_API_KEY'], [], false),
};

/** Spec for a provider that has no wire format of its own but was given an OpenAI-compatible api_base. */
export function apiBaseOnlySpec(provider: string): OpenAiCompatibleSpec {
  return spec(provider, undefined, [], [], false);
}
