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
    expect(getFamily('gemini')?.name).toBe('gemini');
    expect(getFamily('vertex_ai')?.name).toBe('vertex_ai');
  });

  it('declares endpoints as data: what a family lacks is absent', () => {
    expect(supportedCallTypes(getFamily('openai')!)).toEqual([
      'chat',
      'completion',
      'embedding',
      'image_generation',
    ]);
    expect(supportedCallTypes(getFamily('anthropic')!)).toEqual(['chat', 'anthropic_messages']);
    expect(supportedCallTypes(getFamily('ollama')!)).toEqual(['chat', 'completion', 'embedding']);
    expect(supportedCallTypes(getFamily('gemini')!)).toEqual(['chat', 'embedding']);
    expect(supportedCallTypes(getFamily('vertex_ai')!)).toEqual(['chat', 'embedding']);
    expect(getFamily('vertex_ai')!.authorize).toBeTypeOf('function');
    expect(getFamily('anthropic')!.endpoints.embedding).toBeUndefined();
    expect(supportedCallTypes(mockFamily)).toHaveLength(5);
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
