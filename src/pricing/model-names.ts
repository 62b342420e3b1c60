/**
 * @module pricing/model-names
 * Model name normalisation: which catalog keys may price `provider/model` (exact key first, then the
 * name without provider prefix, Bedrock region / cross-region / version forms, lowercase), and which
 * catalog providers count as the same provider family.
 */

/** Provider prefixes understood in `litellm_params.model` (LiteLLM's provider names). */
const KNOWN_PROVIDERS = new Set([
  'openai',
  'azure',
  'azure_ai',
  'azure_text',
  'anthropic',
  'bedrock',
  'bedrock_converse',
  'sagemaker',
  'sagemaker_chat',
  'vertex_ai',
  'vertex_ai_beta',
  'gemini',
  'mistral',
  'codestral',
  'deepseek',
  'groq',
  'ollama',
  'ollama_chat',
  'together_ai',
  'fireworks_ai',
  'openrouter',
  'cohere',
  'cohere_chat',
  'xai',
  'hosted_vllm',
  'vllm',
  'huggingface',
  'perplexity',
  'deepinfra',
  'cerebras',
  'sambanova',
  'replicate',
  'anyscale',
  'cloudflare',
  'databricks',
  'watsonx',
  'nvidia_nim',
  'text-completion-openai',
  'ai21',
  'voyage',
  'jina_ai',
  'dashscope',
  'moonshot',
  'lm_studio',
  'litellm_proxy',
  'custom_openai',
  'aiml',
  'fal_ai',
  'recraft',
  'nscale',
  'hyperbolic',
  'lambda_ai',
  'novita',
  'oci',
  'snowflake',
  'wandb',
  'vercel_ai_gateway',
  'deepgram',
  'elevenlabs',
  'assemblyai',
  'friendliai',
  'featherless_ai',
  'nlp_cloud',
  'aleph_alpha',
  'palm',
  'volcengine',
  'meta_llama',
  'ovhcloud',
  'heroku',
  'gradient_ai',
  'lemonade',
  'v0',
  'morph',
  'runwayml',
  'dataforseo',
  'perplexity',
  'tavily',
  'exa_ai',
  'firecrawl',
  'searxng',
  'google_pse',
  'parallel_ai',
  'github',
  'github_copilot',
  'zai',
  'zhipu',
  'nebius',
  'galadriel',
  'veniceai',
  'scaleway',
  'chutes',
  'mock',
]);

/** Splits `provider/rest`; no known provider prefix means `openai` (LiteLLM's default). */
export function splitProvider(model: string): { provider: string; rest: string } {
  const i = model.indexOf('/');
  if (i > 0) {
    const p = model.slice(0, i);
    if (KNOWN_PROVIDERS.has(p)) return { provider: p, rest: model.slice(i + 1) };
  }
  return { provider: 'openai', rest: model };
}

/** Provider family of a deployment provider or a catalog `litellm_provider` value. */
export function providerFamily(provider: string): string {
  const p = provider.toLowerCase();
  if (p.startsWith('vertex_ai')) return 'vertex_ai';
  if (p.startsWith('bedrock')) return 'bedrock';
  if (p.startsWith('fireworks_ai')) return 'fireworks_ai';
  if (p.startsWith('sagemaker')) return 'sagemaker';
  switch (p) {
    case 'text-completion-openai':
    case 'custom_openai':
      return 'openai';
    case 'azure_text':
      return 'azure';
    case 'cohere_chat':
      return 'cohere';
    case 'ollama_chat':
      return 'ollama';
    case 'text-completion-codestral':
      return 'codestral';
    case 'vllm':
      return 'hosted_vllm';
    case 'zhipu':
      return 'zai';
    default:
      return p;
  }
}

/**
 * May an entry of catalog provider `entryProvider` price a deployment of `provider`? Same family, or
 * Azure OpenAI using OpenAI's entry (reported by the caller as a warning).
 */
export function providerCompatible(provider: string, entryProvider: unknown): 'yes' | 'azure-openai' | 'no' {
  if (typeof entryProvider !== 'string') return 'no';
  const a = providerFamily(provider);
  const b = providerFamily(entryProvider);
  if (a === b) return 'yes';
  if (a === 'azure' && b === 'openai') return 'azure-openai';
  // GitHub Models and a LiteLLM proxy serve other vendors' models: LiteLLM prices them by any entry.
  if (a === 'github' || a === 'litellm_proxy') return 'yes';
  return 'no';
}

export interface KeyCandidate {
  key: string;
  /** True when the key is the name exactly as written or carries the provider prefix: any entry qualifies. */
  exact: boolean;
  /** Set when the key is an approximation the cost must flag (a fine-tuned model at its base price). */
  warning?: string;
}

/**
 * OpenAI fine-tuned names `ft:<base>:<org>:<suffix>:<id>` → `ft:<base>` (LiteLLM's normalisation; the
 * catalog prices fine-tuned inference under `ft:gpt-4o-mini-2024-07-18`…) and the bare base model.
 */
export function fineTunedForms(name: string): { ft: string; base: string } | null {
  if (!name.startsWith('ft:')) return null;
  const base = name.split(':')[1];
  return base ? { ft: `ft:${base}`, base } : null;
}

const BEDROCK_ROUTES = /^(?:converse|invoke|llama|deepseek_r1|nova|qwen2|qwen3|openai|cohere|twelvelabs)\//;
const AWS_REGION = /^((?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-[a-z]+-\d)\/(.+)$/;
const CROSS_REGION = /^(?:us|eu|apac|global|jp|au|us-gov|ca|sa)\./;

function bedrockForms(rest: string): Array<{ key: string; exact: boolean }> {
  const out: Array<{ key: string; exact: boolean }> = [];
  let m = rest;
  // ARN of an inference profile / foundation model: the model id is the last path segment.
  if (m.startsWith('arn:')) m = m.slice(m.lastIndexOf('/') + 1);
  while (BEDROCK_ROUTES.test(m)) m = m.replace(BEDROCK_ROUTES, '');
  const region = AWS_REGION.exec(m);
  if (region) {
    out.push({ key: `bedrock/${region[1]}/${region[2]}`, exact: true });
    m = region[2];
  }
  const bases = [m];
  if (CROSS_REGION.test(m)) bases.push(m.replace(CROSS_REGION, ''));
  for (const b of bases) {
    out.push({ key: b, exact: false });
    out.push({ key: `bedrock/${b}`, exact: true });
    if (/:\d+$/.test(b)) out.push({ key: b.replace(/:\d+$/, ''), exact: false });
    else out.push({ key: `${b}:0`, exact: false });
  }
  return out;
}

/** Catalog keys that may price `model` (as written in litellm_params.model) of `provider`, best first. */
export function candidateKeys(model: string, provider: string): KeyCandidate[] {
  const seen = new Set<string>();
  const out: KeyCandidate[] = [];
  const add = (key: string, exact: boolean) => {
    if (key && !seen.has(key)) {
      seen.add(key);
      out.push({ key, exact });
    }
  };
  const prefix = `${provider}/`;
  const rest = model.startsWith(prefix) ? model.slice(prefix.length) : model;
  add(model, true);
  add(`${provider}/${rest}`, true);
  const family = providerFamily(provider);
  if (family === 'bedrock') for (const c of bedrockForms(rest)) add(c.key, c.exact);
  add(rest, false);
  const ft = fineTunedForms(rest);
  if (ft) {
    add(ft.ft, false);
    if (!seen.has(ft.base)) {
      seen.add(ft.base);
      out.push({
        key: ft.base,
        exact: false,
        warning: `fine-tuned model "${rest}" has no ${ft.ft} price: priced at its base model "${ft.base}" (fine-tuned inference usually costs more; set custom prices)`,
      });
    }
  }
  if (family === 'vertex_ai') add(`vertex_ai/${rest}`, true);
  if (provider === 'ollama_chat') add(`ollama/${rest}`, true);
  // Normalised: lowercase forms of everything so far.
  for (const c of [...out]) add(c.key.toLowerCase(), c.exact);
  return out;
}
