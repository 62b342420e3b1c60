import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../errors.js';
import { mediaPart, signatureFromId, toGeminiContents } from './gemini-messages.js';
import { chatToGemini } from './gemini-request.js';
import { toGeminiSchema } from './gemini-schema.js';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: ['string', 'null'], enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

describe('messages → contents', () => {
  it('system messages become the system instruction; roles alternate user/model', () => {
    const { systemInstruction, contents } = toGeminiContents([
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'bonjour' },
      { role: 'user', content: 'again' },
    ]);
    expect(systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: 'bonjour' }] },
      { role: 'user', parts: [{ text: 'again' }] },
    ]);
  });

  it('tool calls → functionCall (thought signature from the id), results → one user turn of functionResponses', () => {
    const { contents } = toGeminiContents([
      { role: 'user', content: 'weather in Paris and London?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_a__thought__c2lnLTE=',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          {
            id: 'call_b',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"London"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a__thought__c2lnLTE=', content: '{"temp":21}' },
      { role: 'tool', tool_call_id: 'call_b', content: 'rainy' },
    ]);
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLTE=' },
        { functionCall: { name: 'get_weather', args: { city: 'London' } } },
      ],
    });
    expect(contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
        { functionResponse: { name: 'get_weather', response: { content: 'rainy' } } },
      ],
    });
    expect(contents).toHaveLength(3);
  });

  it('tool call arguments that are not a JSON object are a clear 400', () => {
    try {
      toGeminiContents([
        { role: 'assistant', tool_calls: [{ id: 'x', function: { name: 'f', arguments: '[1,2' } }] },
      ]);
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err) && err.code).toBe('TG_ERR_BAD_REQUEST');
      expect((err as Error).message).toContain('tool call "f"');
    }
  });

  it('images: data URLs inline, other URLs as fileData with a MIME type', () => {
    const { contents } = toGeminiContents([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=2' } },
          { type: 'image_url', image_url: 'gs://bucket/scan.pdf' },
        ],
      },
    ]);
    expect(contents[0].parts).toEqual([
      { text: 'what is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=2' } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'gs://bucket/scan.pdf' } },
    ]);
    expect(mediaPart('https://x/y')).toEqual({
      fileData: { mimeType: 'image/jpeg', fileUri: 'https://x/y' },
    });
  });

  it('a system-only conversation is sent as the user turn', () => {
    expect(toGeminiContents([{ role: 'system', content: 'Say hi.' }])).toEqual({
      systemInstruction: undefined,
      contents: [{ role: 'user', parts: [{ text: 'Say hi.' }] }],
    });
  });

  it('reads the signature back out of an id', () => {
    expect(signatureFromId('call_1__thought__abc')).toBe('abc');
    expect(signatureFromId('call_1')).toBeUndefined();
  });
});

describe('chat body → GenerateContentRequest', () => {
  it('maps sampling fields, stop, n and max tokens into generationConfig; drops OpenAI-only fields', () => {
    const out = chatToGemini({
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      stop: 'END',
      n: 2,
      seed: 7,
      user: 'u-1',
      stream_options: { include_usage: true },
      parallel_tool_calls: false,
      safety_settings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    });
    expect(out).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        seed: 7,
        candidateCount: 2,
        maxOutputTokens: 100,
        stopSequences: ['END'],
      },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    });
  });

  it('tools and tool_choice', () => {
    const base = { messages: [{ role: 'user', content: 'x' }], tools: [weatherTool, { googleSearch: {} }] };
    const auto = chatToGemini({ ...base, tool_choice: 'auto' });
    expect(auto.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: {
              type: 'object',
              properties: {
                city: { type: 'string' },
                unit: { type: 'string', nullable: true, enum: ['c', 'f'] },
              },
              required: ['city'],
            },
          },
        ],
      },
      { googleSearch: {} },
    ]);
    expect(auto.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(chatToGemini({ ...base, tool_choice: 'none' }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'NONE' },
    });
    expect(chatToGemini({ ...base, tool_choice: 'required' }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY' },
    });
    expect(
      chatToGemini({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } })
        .toolConfig,
    ).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    // A function without parameters has none.
    const bare = chatToGemini({
      messages: base.messages,
      tools: [
        { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
      ],
    });
    expect(bare.tools).toEqual([{ functionDeclarations: [{ name: 'now' }] }]);
  });

  it('response_format: JSON mode and JSON schema', () => {
    const m = [{ role: 'user', content: 'x' }];
    expect(chatToGemini({ messages: m, response_format: { type: 'json_object' } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
    const schema = chatToGemini({
      messages: m,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          strict: true,
          schema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { name: { type: 'string' }, pet: { $ref: '#/$defs/Pet' } },
            required: ['name'],
            additionalProperties: false,
            $defs: { Pet: { type: 'object', properties: { kind: { const: 'cat' } } } },
          },
        },
      },
    });
    expect(schema.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          pet: { type: 'object', properties: { kind: { enum: ['cat'], type: 'string' } } },
        },
        required: ['name'],
      },
    });
  });

  it('reasoning_effort and Anthropic-style thinking → thinkingConfig', () => {
    const m = [{ role: 'user', content: 'x' }];
    expect(chatToGemini({ messages: m, reasoning_effort: 'low' }).generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
    });
    expect(chatToGemini({ messages: m, reasoning_effort: 'none' }).generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(
      chatToGemini({ messages: m, thinking: { type: 'enabled', budget_tokens: 5000 } }).generationConfig,
    ).toEqual({ thinkingConfig: { thinkingBudget: 5000, includeThoughts: true } });
  });
});

describe('toGeminiSchema', () => {
  it('cuts recursive $refs at a bounded depth', () => {
    const node = {
      $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    };
    let s = toGeminiSchema(node);
    let depth = 0;
    while ((s.properties as Record<string, Record<string, unknown>> | undefined)?.next) {
      s = (s.properties as Record<string, Record<string, unknown>>).next;
      depth++;
    }
    expect(depth).toBeGreaterThan(5);
    expect(depth).toBeLessThan(30);
    expect(s).toEqual({ type: 'object' });
  });

  it('anyOf with null becomes nullable', () => {
    expect(toGeminiSchema({ anyOf: [{ type: 'integer' }, { type: 'null' }] })).toEqual({
      nullable: true,
      type: 'integer',
    });
  });
});
