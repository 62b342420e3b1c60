import { describe, expect, it } from 'vitest';
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
    expect(supportedCallTypes(getFamily('cohere')!)).toEqual(['rerank']);
    expect(supportedCallTypes(getFamily('jina_ai')!)).toContain('rerank');
    expect(getFamily('anthropic')!.endpoints.embedding).toBeUndefined();
    expect(supportedCallTypes(mockFamily)).toHaveLength(6);
    // Endpoints that cannot stream have no decoder.
    expect(getFamily('openai')!.endpoints.embedding!.decoder).toBeUndefined();
  });

  it('has no wire format for sagemaker/bedrock unless an api_base makes them OpenAI-compatible', async () => {
    expect(getFamily('sagemaker')).toBeUndefined();
    expect(getFamily('bedrock')).toBeUndefined();
    expect(getFamily('nonsense')).toBeUndefined();
    expect(familyForDeployment(deployment('sagemaker/llama'))).toBeUndefined();
    const d = deployment('sagemaker/berri-llama', { apiBase: 'http://mock:4100/v1' });
    const f = familyForDeployment(d)!;
    const req = await built(f, 'chat', { messages: [] }, d);
    expect(req.url).toBe('http://mock:4100/v1/chat/completions');
    expect(jsonBody(req).model).toBe('berri-llama');
    expect(familyForDeployment(deployment('openai/gpt-4o'))).toBe(getFamily('openai'));
  });

  it('a deployment with mock_response is served by the mock family whatever its prefix', () => {
    expect(familyForDeployment(deployment('sagemaker/x', { mockResponse: 'hi' }))).toBe(mockFamily);
    expect(familyForDeployment(deployment('anthropic/claude', { mockResponse: 'hi' }))).toBe(mockFamily);
  });
});
