/**
 * @module providers/openai-compatible/openai-providers
 * The OpenAI-compatible providers as data: default base URL and where their key comes from.
 * Adding one is one entry here: the registry turns every entry into a family.
 */
import type { Usage } from '../../pricing/usage.js';
import type { EndpointSpec } from '../shared/credentials.js';
import type { MediaCallType } from './openai-media.js';
import { usageFromXai } from './xai-usage.js';

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
  xai: {
    ...spec('xai', 'https://api.x.ai/v1', ['XAI_API_KEY'], ['XAI_API_BASE']),
    convertUsage: usageFromXai,
  },
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

  // The long tail: providers LiteLLM routes over the OpenAI wire. Default base and key variables as in
  // LiteLLM's source (the file is named per entry: get_llm_provider_logic.py = litellm/litellm_core_utils/,
  // <p>/chat = litellm/llms/<p>/chat/transformation.py), which agree with the providers' documented bases.
  // The prefix is the catalog's `litellm_provider` key, so catalog prices apply where LiteLLM has them.
  // LiteLLM get_llm_provider_logic.py
  cerebras: spec('cerebras', 'https://api.cerebras.ai/v1', ['CEREBRAS_API_KEY'], ['CEREBRAS_API_BASE']),
  // LiteLLM get_llm_provider_logic.py
  nvidia_nim: spec(
    'nvidia_nim',
    'https://integrate.api.nvidia.com/v1',
    ['NVIDIA_NIM_API_KEY'],
    ['NVIDIA_NIM_API_BASE'],
  ),
  // LiteLLM get_llm_provider_logic.py (GitHub Models' Azure-hosted endpoint, names without a publisher). GitHub's
  // newer endpoint https://models.github.ai/inference takes `publisher/model` names: set api_base for it.
  github: spec('github', 'https://models.inference.ai.azure.com', ['GITHUB_API_KEY'], ['GITHUB_API_BASE']),
  // LiteLLM moonshot/chat (mainland China: https://api.moonshot.cn/v1)
  moonshot: spec('moonshot', 'https://api.moonshot.ai/v1', ['MOONSHOT_API_KEY'], ['MOONSHOT_API_BASE']),
  // LiteLLM dashscope/chat (international accounts: https://dashscope-intl.aliyuncs.com/compatible-mode/v1)
  dashscope: spec(
    'dashscope',
    'https://dashscope.aliyuncs.com/compatible-mode/v1',
    ['DASHSCOPE_API_KEY'],
    ['DASHSCOPE_API_BASE'],
  ),
  // LiteLLM zai/chat (ZAI_API_BASE)
  zai: spec('zai', 'https://api.z.ai/api/paas/v4', ['ZAI_API_KEY'], ['ZAI_API_BASE']),
  // Zhipu's mainland-China platform for the same GLM models (bigmodel.cn API docs); not a LiteLLM prefix,
  // priced with the catalog's zai entries (pricing/model-names.ts).
  zhipu: spec(
    'zhipu',
    'https://open.bigmodel.cn/api/paas/v4',
    ['ZHIPUAI_API_KEY', 'ZHIPU_API_KEY'],
    ['ZHIPUAI_API_BASE'],
  ),
  // LiteLLM get_llm_provider_logic.py
  sambanova: spec('sambanova', 'https://api.sambanova.ai/v1', ['SAMBANOVA_API_KEY'], ['SAMBANOVA_API_BASE']),
  // LiteLLM perplexity/chat (PERPLEXITYAI_API_KEY, then PERPLEXITY_API_KEY)
  perplexity: spec(
    'perplexity',
    'https://api.perplexity.ai',
    ['PERPLEXITYAI_API_KEY', 'PERPLEXITY_API_KEY'],
    ['PERPLEXITY_API_BASE'],
  ),
  // LiteLLM deepinfra/chat
  deepinfra: spec(
    'deepinfra',
    'https://api.deepinfra.com/v1/openai',
    ['DEEPINFRA_API_KEY'],
    ['DEEPINFRA_API_BASE'],
  ),
  // Novita's documented OpenAI-compatible base (LiteLLM's novita provider reads NOVITA_API_KEY / NOVITA_API_BASE)
  novita: spec('novita', 'https://api.novita.ai/v3/openai', ['NOVITA_API_KEY'], ['NOVITA_API_BASE']),
  // LiteLLM nebius/chat (Nebius AI Studio, since renamed Token Factory: https://api.tokenfactory.nebius.com/v1)
  nebius: spec('nebius', 'https://api.studio.nebius.ai/v1', ['NEBIUS_API_KEY'], ['NEBIUS_API_BASE']),
  // LiteLLM hyperbolic/chat
  hyperbolic: spec(
    'hyperbolic',
    'https://api.hyperbolic.xyz/v1',
    ['HYPERBOLIC_API_KEY'],
    ['HYPERBOLIC_API_BASE'],
  ),
  // LiteLLM lambda_ai/chat
  lambda_ai: spec('lambda_ai', 'https://api.lambda.ai/v1', ['LAMBDA_API_KEY'], ['LAMBDA_API_BASE']),
  // LiteLLM featherless_ai/chat
  featherless_ai: spec(
    'featherless_ai',
    'https://api.featherless.ai/v1',
    ['FEATHERLESS_API_KEY', 'FEATHERLESS_AI_API_KEY'],
    ['FEATHERLESS_API_BASE'],
  ),
  // Workers AI's OpenAI-compatible endpoints (developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility:
  // https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1); LiteLLM's key variable CLOUDFLARE_API_KEY.
  cloudflare: spec(
    'cloudflare',
    'https://api.cloudflare.com/client/v4/accounts/{CLOUDFLARE_ACCOUNT_ID}/ai/v1',
    ['CLOUDFLARE_API_KEY', 'CLOUDFLARE_API_TOKEN'],
    ['CLOUDFLARE_API_BASE'],
  ),
  // Hugging Face Inference Providers router (huggingface.co/docs/inference-providers: https://router.huggingface.co/v1);
  // pick a provider with a `:provider` model suffix, e.g. huggingface/deepseek-ai/DeepSeek-R1:together.
  huggingface: spec(
    'huggingface',
    'https://router.huggingface.co/v1',
    ['HF_TOKEN', 'HUGGINGFACE_API_KEY'],
    ['HUGGINGFACE_API_BASE'],
  ),
  // LiteLLM nscale/chat (NscaleConfig.API_BASE_URL)
  nscale: spec('nscale', 'https://inference.api.nscale.com/v1', ['NSCALE_API_KEY'], ['NSCALE_API_BASE']),
  // LiteLLM get_llm_provider_logic.py
  friendliai: spec(
    'friendliai',
    'https://api.friendli.ai/serverless/v1',
    ['FRIENDLIAI_API_KEY', 'FRIENDLI_TOKEN'],
    ['FRIENDLI_API_BASE'],
  ),
  // LiteLLM get_llm_provider_logic.py
  meta_llama: spec('meta_llama', 'https://api.llama.com/compat/v1', ['LLAMA_API_KEY'], ['LLAMA_API_BASE']),
  // LiteLLM get_llm_provider_logic.py
  volcengine: spec(
    'volcengine',
    'https://ark.cn-beijing.volces.com/api/v3',
    ['VOLCENGINE_API_KEY', 'ARK_API_KEY'],
    ['VOLCENGINE_API_BASE'],
  ),
  // LiteLLM get_llm_provider_logic.py
  codestral: spec(
    'codestral',
    'https://codestral.mistral.ai/v1',
    ['CODESTRAL_API_KEY'],
    ['CODESTRAL_API_BASE'],
  ),
  // LiteLLM litellm/main.py (OVHcloud AI Endpoints)
  ovhcloud: spec(
    'ovhcloud',
    'https://oai.endpoints.kepler.ai.cloud.ovh.net/v1',
    ['OVHCLOUD_API_KEY'],
    ['OVHCLOUD_API_BASE'],
  ),
  // LiteLLM litellm/main.py (W&B Inference)
  wandb: spec('wandb', 'https://api.inference.wandb.ai/v1', ['WANDB_API_KEY'], ['WANDB_API_BASE']),
  // LiteLLM vercel_ai_gateway/chat
  vercel_ai_gateway: spec(
    'vercel_ai_gateway',
    'https://ai-gateway.vercel.sh/v1',
    ['VERCEL_AI_GATEWAY_API_KEY', 'VERCEL_OIDC_TOKEN'],
    ['VERCEL_AI_GATEWAY_API_BASE'],
  ),
  // LiteLLM litellm/llms/openai_like/providers.json
  veniceai: spec('veniceai', 'https://api.venice.ai/api/v1', ['VENICE_AI_API_KEY'], ['VENICE_AI_API_BASE']),
  scaleway: spec('scaleway', 'https://api.scaleway.ai/v1', ['SCW_SECRET_KEY'], ['SCALEWAY_API_BASE']),
  chutes: spec('chutes', 'https://llm.chutes.ai/v1', ['CHUTES_API_KEY'], ['CHUTES_API_BASE']),
  // Another LiteLLM proxy: no default base (LITELLM_PROXY_API_BASE), key optional.
  litellm_proxy: spec(
    'litellm_proxy',
    undefined,
    ['LITELLM_PROXY_API_KEY'],
    ['LITELLM_PROXY_API_BASE'],
    false,
  ),
};
