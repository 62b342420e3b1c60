import { describe, expect, it } from 'vitest';
import { countPromptTokens, countTextTokens, encodingForModel } from './token-count.js';

describe('token counting', () => {
  it('chooses o200k_base for the gpt-4o/4.1/5/o-series families and cl100k_base otherwise', () => {
    for (const m of [
      'gpt-4o',
      'openai/gpt-4o-mini',
      'gpt-4.1-nano',
      'o3-mini',
      'azure/o1',
      'gpt-5',
      'chatgpt-4o-latest',
    ]) {
      expect(encodingForModel(m), m).toBe('o200k_base');
    }
    for (const m of ['gpt-4', 'gpt-3.5-turbo', 'claude-3-5-sonnet', 'llama3', undefined]) {
      expect(encodingForModel(m), String(m)).toBe('cl100k_base');
    }
  });

  it('counts text with the real tokenizer', () => {
    expect(countTextTokens('hello world', 'gpt-4o')).toBe(2);
    expect(countTextTokens('', 'gpt-4o')).toBe(0);
    // Special-token text is counted, not rejected.
    expect(countTextTokens('<|endoftext|>', 'gpt-4')).toBeGreaterThan(0);
  });

  it('counts chat messages with the cookbook overhead (3 per message + 3 priming)', () => {
    const body = { messages: [{ role: 'user', content: 'hello world' }] };
    // 3 (message) + 1 ("user") + 2 ("hello world") + 3 (priming)
    expect(countPromptTokens(body, 'gpt-4o')).toBe(9);
    const withName = { messages: [{ role: 'user', content: 'hello world', name: 'bob' }] };
    expect(countPromptTokens(withName, 'gpt-4o')).toBe(9 + 1 + countTextTokens('bob', 'gpt-4o'));
  });

  it('counts content parts, prompts, embedding inputs and Anthropic system', () => {
    const parts = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello world' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
      ],
    };
    expect(countPromptTokens(parts, 'gpt-4o')).toBe(9 + 85);
    expect(countPromptTokens({ prompt: 'hello world' }, 'gpt-4o')).toBe(2);
    expect(countPromptTokens({ input: ['hello world', 'hello'] }, 'gpt-4o')).toBe(3);
    expect(countPromptTokens({ system: 'hello world', messages: [] }, 'gpt-4o')).toBe(3 + 2);
  });
});
