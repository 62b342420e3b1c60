import { describe, expect, it, vi } from 'vitest';
import { familyForDeployment, getFamily, KNOWN_PROVIDERS, mockFamily } from './registry.js';
import { built, deployment, jsonBody } from './test-support.js';
import { supportedCallTypes } from './types.js';

describe('registry', () => {
  it('maps every provider prefix to its family', () => {
    for (const p of [
      'openai',
      'groq',
      'together_ai',
      'deepseek',
      'mistral',
      'fireworks_ai',
      'openrouter',
      'xai',
      'hosted_vllm',
      'lm_studio',
      'custom_openai',
      'text-completion-openai',
    ]) {
      expect(getFamily(p)?.name, p).toBe(p);
      expect(KNOWN_PROVIDERS).toContain(p);
    }
    expect(getFamily('azure')?.name).toBe('azure');
    expect(getFamily('ollama')?.name).toBe('ollama');
    expect(getFamily('ollama_chat')?.name).toBe('ollama_chat');
    expect(getFamily('gemini')?.name).toBe('gemini');
    expect(getFamily('vertex_ai')?.name).toBe('vertex_ai');
  });

  it('declares endpoints as data: what a family lacks is absent', () => {
    expect(supportedCallTypes(getFamily('openai')!)).toEqual([
      'chat',
      'completion',
      'embedding',
      'image_generation',
      'responses',
      'responses_get',
      'responses_delete',
      'responses_input_items',
      'transcription',
      'translation',
      'speech',
      'image_edit',
      'image_variation',
      'moderation',
    ]);
    // Chat-only families serve the Responses API through the chat translation (no stored-response calls).
    expect(supportedCallTypes(getFamily('anthropic')!)).toEqual([
      'chat',
      'anthropic_messages',
      'responses',
      'count_tokens',
    ]);
    expect(supportedCallTypes(getFamily('ollama')!)).toEqual([
      'chat',
      'completion',
      'embedding',
      'responses',
    ]);
    expect(supportedCallTypes(getFamily('gemini')!)).toEqual(['chat', 'embedding', 'responses']);
    expect(supportedCallTypes(getFamily('vertex_ai')!)).toEqual(['chat', 'embedding', 'responses']);
    expect(supportedCallTypes(getFamily('jina_ai')!)).toContain('rerank');
    expect(getFamily('vertex_ai')!.authorize).toBeTypeOf('function');
    expect(getFamily('anthropic')!.endpoints.embedding).toBeUndefined();
    expect(supportedCallTypes(mockFamily)).toHaveLength(6);
    // Endpoints that cannot stream have no decoder.
    expect(getFamily('openai')!.endpoints.embedding!.decoder).toBeUndefined();
  });

  it('serves bedrock, sagemaker and cohere natively; api_base is their runtime endpoint, as in LiteLLM', async () => {
    expect(supportedCallTypes(getFamily('bedrock')!)).toEqual(['chat', 'embedding', 'responses']);
    expect(supportedCallTypes(getFamily('sagemaker')!)).toEqual([
      'chat',
      'completion',
      'embedding',
      'responses',
    ]);
    expect(supportedCallTypes(getFamily('sagemaker_chat')!)).toEqual(['chat', 'embedding', 'responses']);
    expect(supportedCallTypes(getFamily('cohere')!)).toEqual(['chat', 'embedding', 'responses', 'rerank']);
    expect(getFamily('cohere_chat')!.name).toBe('cohere_chat');
    expect(getFamily('nonsense')).toBeUndefined();
    const keys = {
      aws_access_key_id: 'AKIDEXAMPLE',
      aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      aws_region_name: 'us-east-1',
    };
    const d = deployment('sagemaker/berri-llama', { apiBase: 'http://mock:4100', deploymentOptions: keys });
    const req = await built(
      familyForDeployment(d)!,
      'chat',
      { messages: [{ role: 'user', content: 'hi' }] },
      d,
    );
    expect(req.url).toBe('http://mock:4100/endpoints/berri-llama/invocations');
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sagemaker\/aws4_request/,
    );
    expect(jsonBody(req)).toEqual({ inputs: 'hi', parameters: {} });
    expect(familyForDeployment(deployment('openai/gpt-4o'))).toBe(getFamily('openai'));
  });

  it('has an entry for every OpenAI-compatible long-tail provider, with its default base', async () => {
    const bases: Record<string, string> = {
      cerebras: 'https://api.cerebras.ai/v1/chat/completions',
      nvidia_nim: 'https://integrate.api.nvidia.com/v1/chat/completions',
      github: 'https://models.inference.ai.azure.com/chat/completions',
      moonshot: 'https://api.moonshot.ai/v1/chat/completions',
      dashscope: 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions',
      zai: 'https://api.z.ai/api/paas/v4/chat/completions',
      zhipu: 'https://open.bigmodel.cn/api/paas/v4/chat/completions',
      sambanova: 'https://api.sambanova.ai/v1/chat/completions',
      perplexity: 'https://api.perplexity.ai/chat/completions',
      deepinfra: 'https://api.deepinfra.com/v1/openai/chat/completions',
      novita: 'https://api.novita.ai/v3/openai/chat/completions',
      nebius: 'https://api.studio.nebius.ai/v1/chat/completions',
      hyperbolic: 'https://api.hyperbolic.xyz/v1/chat/completions',
      lambda_ai: 'https://api.lambda.ai/v1/chat/completions',
      featherless_ai: 'https://api.featherless.ai/v1/chat/completions',
      huggingface: 'https://router.huggingface.co/v1/chat/completions',
    };
    for (const [p, url] of Object.entries(bases)) {
      const d = deployment(`${p}/some-model`, { apiKey: 'k-test' });
      const req = await built(getFamily(p)!, 'chat', { messages: [] }, d);
      expect(req.url, p).toBe(url);
      expect(req.headers.authorization, p).toBe('Bearer k-test');
      expect(KNOWN_PROVIDERS).toContain(p);
    }
  });

  it('cloudflare: the account id comes from CLOUDFLARE_ACCOUNT_ID; without it api_base is required', async () => {
    const cf = getFamily('cloudflare')!;
    const missing = deployment('cloudflare/@cf/meta/llama-3.1-8b-instruct', { apiKey: 'cf-token' });
    expect(cf.checkDeployment!(missing)).toEqual([
      'no api_base: provider "cloudflare" needs litellm_params.api_base or CLOUDFLARE_API_BASE/CLOUDFLARE_ACCOUNT_ID',
    ]);
    vi.stubEnv('CLOUDFLARE_ACCOUNT_ID', 'acc123');
    try {
      const d = deployment('cloudflare/@cf/meta/llama-3.1-8b-instruct', { apiKey: 'cf-token' });
      const req = await built(cf, 'chat', { messages: [] }, d);
      expect(req.url).toBe('https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/chat/completions');
      expect(jsonBody(req).model).toBe('@cf/meta/llama-3.1-8b-instruct');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a deployment with mock_response is served by the mock family whatever its prefix', () => {
    expect(familyForDeployment(deployment('sagemaker/x', { mockResponse: 'hi' }))).toBe(mockFamily);
    expect(familyForDeployment(deployment('anthropic/claude', { mockResponse: 'hi' }))).toBe(mockFamily);
  });
});
