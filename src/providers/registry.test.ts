import { describe, expect, it } from 'vitest';
import { getAdapter, getAdapterForDeployment, KNOWN_PROVIDERS } from './registry.js';
import { deployment } from './test-support.js';

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
      expect(getAdapter(p)?.family, p).toBe(p);
      expect(KNOWN_PROVIDERS).toContain(p);
    }
    expect(getAdapter('azure')?.family).toBe('azure');
    expect(getAdapter('anthropic')?.supports).toContain('anthropic_messages');
    expect(getAdapter('ollama')?.family).toBe('ollama');
    expect(getAdapter('ollama_chat')?.family).toBe('ollama_chat');
  });

  it('has no wire format for sagemaker/bedrock unless an api_base makes them OpenAI-compatible', () => {
    expect(getAdapter('sagemaker')).toBeUndefined();
    expect(getAdapter('bedrock')).toBeUndefined();
    expect(getAdapter('nonsense')).toBeUndefined();
    expect(getAdapterForDeployment(deployment('sagemaker/llama'))).toBeUndefined();
    const d = deployment('sagemaker/berri-llama', { apiBase: 'http://mock:4100/v1' });
    const a = getAdapterForDeployment(d)!;
    const req = a.buildRequest('chat', { messages: [] }, d, false);
    expect(req.url).toBe('http://mock:4100/v1/chat/completions');
    expect(JSON.parse(req.body).model).toBe('berri-llama');
    expect(getAdapterForDeployment(deployment('openai/gpt-4o'))).toBe(getAdapter('openai'));
  });
});
