import { describe, expect, it } from 'vitest';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, chatToAnthropic } from './anthropic-request.js';

describe('chatToAnthropic', () => {
  it('moves system messages to system, maps sampling/stop/user and defaults max_tokens', () => {
    const out = chatToAnthropic(
      {
        model: 'group',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
        ],
        temperature: 0.3,
        top_p: 0.9,
        stop: 'END',
        user: 'palantir',
        n: 1,
        presence_penalty: 0,
        seed: 4,
        response_format: { type: 'text' },
        top_k: 5,
      },
      'claude-3-5-haiku',
      false,
    );
    expect(out).toEqual({
      model: 'claude-3-5-haiku',
      system: 'Be brief.\n\nAnswer in French.',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      stop_sequences: ['END'],
      metadata: { user_id: 'palantir' },
      temperature: 0.3,
      top_p: 0.9,
      top_k: 5,
    });
  });

  it('maps tools, tool_choice, assistant tool calls and merged tool results', () => {
    const out = chatToAnthropic(
      {
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
          { role: 'tool', tool_call_id: 'call_2', content: '24C' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        max_completion_tokens: 300,
      },
      'claude',
      true,
    );
    expect(out.max_tokens).toBe(300);
    expect(out.stream).toBe(true);
    expect(out.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ]);
    expect(out.tool_choice).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
    expect(out.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: '24C' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('maps tool_choice strings', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    const choice = (c: unknown) =>
      chatToAnthropic({ messages: [], tools, tool_choice: c }, 'm', false).tool_choice;
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice('required')).toEqual({ type: 'any' });
    expect(choice('none')).toEqual({ type: 'none' });
    expect(chatToAnthropic({ messages: [], tools }, 'm', false).tools).toEqual([
      { name: 'f', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it('maps image parts (data URL → base64, http → url) and keeps cache_control', () => {
    const out = chatToAnthropic(
      {
        messages: [
          {
            role: 'system',
            content: [{ type: 'text', text: 'Long system prompt', cache_control: { type: 'ephemeral' } }],
          },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            ],
          },
        ],
      },
      'claude',
      false,
    );
    expect(out.system).toEqual([
      { type: 'text', text: 'Long system prompt', cache_control: { type: 'ephemeral' } },
    ]);
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('maps reasoning_effort to a thinking budget with room for the answer', () => {
    const out = chatToAnthropic(
      { messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'low' },
      'm',
      false,
    );
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(out.max_tokens).toBe(1024 + ANTHROPIC_DEFAULT_MAX_TOKENS);
    expect(out.reasoning_effort).toBeUndefined();
  });
});
