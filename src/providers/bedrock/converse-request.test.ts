import { describe, expect, it } from 'vitest';
import { chatToConverse, JSON_TOOL_NAME } from './converse-request.js';

const CLAUDE = 'us.anthropic.claude-3-5-sonnet-20241022-v2:0';

describe('chatToConverse', () => {
  it('system to `system`, sampling to inferenceConfig, stop as a list, OpenAI-only fields dropped', () => {
    const out = chatToConverse(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
          { role: 'user', content: 'hello' },
        ],
        max_tokens: 300,
        temperature: 0.2,
        top_p: 0.9,
        stop: 'END',
        n: 1,
        user: 'u-1',
        seed: 7,
        stream_options: { include_usage: true },
        parallel_tool_calls: false,
      },
      CLAUDE,
    );
    expect(out).toEqual({
      system: [{ text: 'Be brief.' }, { text: 'Use metric units.' }],
      messages: [{ role: 'user', content: [{ text: 'hello' }] }],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
    expect(
      chatToConverse({ messages: [], max_completion_tokens: 50, max_tokens: 10 }, CLAUDE).inferenceConfig,
    ).toEqual({ maxTokens: 50 });
  });

  it('tool calls → toolUse, tool results → toolResult in a user turn; consecutive turns merged', () => {
    const out = chatToConverse(
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
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
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
      },
      CLAUDE,
    );
    expect(out.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { text: 'Checking.' },
          { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: { city: 'Rome' } } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_1', content: [{ text: '18C' }] } },
          { toolResult: { toolUseId: 'call_2', content: [{ text: '24C' }] } },
          { text: 'Thanks' },
        ],
      },
    ]);
    expect(out.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
          },
        },
      ],
      toolChoice: { tool: { name: 'get_weather' } },
    });
  });

  it('tool_choice strings; "none" offers no tools; tool history without tools declares them', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    const choice = (c: unknown) =>
      (chatToConverse({ messages: [], tools, tool_choice: c }, CLAUDE).toolConfig as { toolChoice?: unknown })
        ?.toolChoice;
    expect(choice('auto')).toEqual({ auto: {} });
    expect(choice('required')).toEqual({ any: {} });
    expect(chatToConverse({ messages: [], tools, tool_choice: 'none' }, CLAUDE).toolConfig).toBeUndefined();
    const history = chatToConverse(
      {
        messages: [
          { role: 'user', content: 'x' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'lookup', arguments: '' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: 'ok' },
        ],
      },
      CLAUDE,
    );
    expect(history.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object', properties: {} } } } }],
    });
  });

  it('images: data URLs to bytes, s3:// to s3Location; remote URLs refused; cache_control → cachePoint', () => {
    const out = chatToConverse(
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
              { type: 'image_url', image_url: 's3://bucket/cat.JPG' },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
            ],
          },
        ],
        tools: [{ type: 'function', function: { name: 'f' }, cache_control: { type: 'ephemeral' } }],
      },
      CLAUDE,
    );
    expect(out.system).toEqual([{ text: 'Long system prompt' }, { cachePoint: { type: 'default' } }]);
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { text: 'What is this?' },
          { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
          { image: { format: 'jpeg', source: { s3Location: { uri: 's3://bucket/cat.JPG' } } } },
          { document: { format: 'pdf', name: 'document-1', source: { bytes: 'JVBERi0=' } } },
        ],
      },
    ]);
    expect((out.toolConfig as { tools: unknown[] }).tools[1]).toEqual({ cachePoint: { type: 'default' } });
    expect(() =>
      chatToConverse(
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
            },
          ],
        },
        CLAUDE,
      ),
    ).toThrow(/does not download remote image URLs/);
    expect(() =>
      chatToConverse(
        { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] },
        CLAUDE,
      ),
    ).toThrow(/"input_audio" are not supported/);
  });

  it('Anthropic thinking and top_k, unknown fields, Nova top_k go to additionalModelRequestFields', () => {
    const claude = chatToConverse(
      {
        messages: [],
        reasoning_effort: 'medium',
        top_k: 40,
        custom_flag: true,
        guardrailConfig: { guardrailIdentifier: 'g', guardrailVersion: '1' },
      },
      CLAUDE,
    );
    expect(claude.additionalModelRequestFields).toEqual({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      top_k: 40,
      custom_flag: true,
    });
    expect(claude.guardrailConfig).toEqual({ guardrailIdentifier: 'g', guardrailVersion: '1' });
    const nova = chatToConverse(
      { messages: [], top_k: 5, reasoning_effort: 'low' },
      'us.amazon.nova-pro-v1:0',
    );
    expect(nova.additionalModelRequestFields).toEqual({ inferenceConfig: { topK: 5 } });
  });

  it('response_format becomes a forced JSON tool, as LiteLLM does', () => {
    const out = chatToConverse(
      {
        messages: [{ role: 'user', content: 'x' }],
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'person',
            schema: { type: 'object', properties: { name: { type: 'string' } } },
          },
        },
      },
      CLAUDE,
    );
    expect(out.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'person',
            inputSchema: { json: { type: 'object', properties: { name: { type: 'string' } } } },
          },
        },
      ],
      toolChoice: { tool: { name: 'person' } },
    });
    const plain = chatToConverse({ messages: [], response_format: { type: 'json_object' } }, CLAUDE);
    expect((plain.toolConfig as { toolChoice: unknown }).toolChoice).toEqual({
      tool: { name: JSON_TOOL_NAME },
    });
    expect(
      chatToConverse({ messages: [], response_format: { type: 'text' } }, CLAUDE).toolConfig,
    ).toBeUndefined();
  });
});
