import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { getFamily } from '../registry.js';
import { isRecord } from '../shared/json.js';
import { decode, deployment, splitBytes } from '../test-support.js';
import { countPromptTokens } from '../token-count.js';
import { chatToResponse } from './chat-to-responses.js';
import { listPage, normalizeInputItems } from './response-items.js';
import { responsesToChat } from './responses-to-chat.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../openai-compatible/__fixtures__', name), 'utf8');

/** The `event:` names and parsed data of a Responses SSE text. */
function events(text: string): Array<{ type: string; data: Record<string, unknown> }> {
  return text
    .split('\n\n')
    .filter((b) => b.startsWith('event: '))
    .map((b) => {
      const [head, data] = b.split('\ndata: ');
      return { type: head.slice(7), data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('responsesToChat', () => {
  it('instructions, string and structured input, consecutive function calls merged, tool output', () => {
    const chat = responsesToChat({
      model: 'm',
      instructions: 'Be brief.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'hi' },
            { type: 'input_image', image_url: 'data:image/png;base64,AA' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling' }] },
        { type: 'function_call', call_id: 'c1', name: 'a', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'b', arguments: '{"x":1}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'reasoning', summary: [] },
      ],
      max_output_tokens: 50,
      temperature: 0.2,
      store: true,
      metadata: { a: 'b' },
    });
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AA', detail: 'auto' } },
        ],
      },
      {
        role: 'assistant',
        content: 'calling',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'b', arguments: '{"x":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
    ]);
    expect(chat).toMatchObject({ max_tokens: 50, temperature: 0.2 });
    // Responses-only fields never reach a chat upstream.
    expect(chat).not.toHaveProperty('store');
    expect(chat).not.toHaveProperty('metadata');
  });

  it('function tools, tool_choice, text.format and reasoning effort', () => {
    const chat = responsesToChat({
      model: 'm',
      input: 'x',
      tools: [
        { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
      ],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'low' },
    });
    expect(chat.tools).toEqual([
      {
        type: 'function',
        function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
      },
    ]);
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
    expect(chat.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'out', schema: { type: 'object' }, strict: true },
    });
    expect(chat.reasoning_effort).toBe('low');
  });

  it('built-in tools cannot be translated: a clear 400', () => {
    let err: unknown;
    try {
      responsesToChat({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    expect((err as GatewayError).param).toBe('tools');
  });
});

describe('chatToResponse', () => {
  it('text and tool calls become output items; length → incomplete; usage with details', () => {
    const u = {
      inputTokens: 30,
      cacheReadTokens: 10,
      cacheWriteTokens: 0,
      audioInputTokens: 0,
      outputTokens: 12,
      reasoningTokens: 4,
      audioOutputTokens: 0,
      durationMs: 0,
      estimated: false,
    };
    const r = chatToResponse(
      {
        model: 'claude-x',
        choices: [
          {
            message: {
              content: 'hi',
              tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: '{}' } }],
            },
            finish_reason: 'length',
          },
        ],
      },
      { model: 'group', input: 'x', metadata: { k: 'v' } },
      u,
    );
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect((r.output as Array<{ type: string }>).map((o) => o.type)).toEqual(['message', 'function_call']);
    expect(r.usage).toEqual({
      input_tokens: 30,
      input_tokens_details: { cached_tokens: 10 },
      output_tokens: 12,
      output_tokens_details: { reasoning_tokens: 4 },
      total_tokens: 42,
    });
    expect(r.metadata).toEqual({ k: 'v' });
    expect(String(r.id)).toMatch(/^resp_/);
  });
});

describe('Responses streams', () => {
  const groq = getFamily('groq')!;
  const d = deployment('groq/llama-3.1-8b-instant');

  it('a chat tool-call stream becomes the typed events; response.completed carries the exact cost', () => {
    const { out, outcome } = decode(groq, 'responses', d, [fixture('openai-tools.chunks.txt')], {
      costText: '0.0000001',
    });
    const evs = events(out);
    expect(evs.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      ...evs
        .filter((e) => e.type === 'response.function_call_arguments.delta')
        .map(() => 'response.function_call_arguments.delta'),
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = evs.find((e) => e.type === 'response.function_call_arguments.done')!;
    expect(done.data.arguments).toBe('{"location":"Paris, France"}');
    const completed = out.split('\n\n').find((b) => b.startsWith('event: response.completed'))!;
    // The cost is a JSON number written exactly (no float round trip).
    expect(completed).toContain('"cost":0.0000001');
    expect(evs.map((e) => e.data.sequence_number)).toEqual(evs.map((_, i) => i));
    expect(outcome.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('gives the same events however the upstream bytes are split', () => {
    const text = fixture('openai-chat.chunks.txt');
    const strip = (s: string) =>
      s.replace(/"(id|item_id)":"[^"]*"/g, '"$1":"x"').replace(/"created_at":\d+/g, '');
    const whole = strip(decode(groq, 'responses', d, [text]).out);
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 10 }), (cuts) => {
        expect(strip(decode(groq, 'responses', d, splitBytes(text, cuts)).out)).toBe(whole);
      }),
      { numRuns: 30 },
    );
  });

  it('native: events forwarded, the terminal one held back and written with usage.cost; errors redacted', () => {
    const openai = getFamily('openai')!;
    const od = deployment('openai/gpt-4o', { apiKey: 'sk-secret-deployment-key-123456' });
    const sse = [
      'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","model":"gpt-4o","output":[]}}\n\n',
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"delta":"Hi"}\n\n',
      'event: response.completed\ndata: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","model":"gpt-4o","usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":1,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":6}}}\n\n',
    ];
    const ok = decode(openai, 'responses', od, sse, { costText: '0.0000225' });
    expect(ok.outcome.usage).toMatchObject({ inputTokens: 5, outputTokens: 1 });
    expect(ok.outcome.text).toBe('Hi');
    const evs = events(ok.out);
    expect(evs.map((e) => e.type)).toEqual([
      'response.created',
      'response.output_text.delta',
      'response.completed',
    ]);
    expect(ok.out).toContain('"total_tokens":6,"cost":0.0000225}');

    const failing = [
      sse[0],
      'event: error\ndata: {"type":"error","sequence_number":1,"code":"server_error","message":"bad key sk-secret-deployment-key-123456","param":null}\n\n',
    ];
    const bad = decode(openai, 'responses', od, failing);
    expect(bad.outcome.error?.code).toBe('TG_ERR_UPSTREAM');
    const last = events(bad.out).at(-1)!;
    expect(last.type).toBe('error');
    expect(String(last.data.message)).not.toContain('sk-secret-deployment-key-123456');
  });
});

describe('input items and token counting', () => {
  it('items get ids, string contents become parts, pages go newest first', () => {
    const items = normalizeInputItems([
      { role: 'user', content: 'a' },
      { type: 'function_call_output', call_id: 'c', output: 'o' },
    ]);
    expect(items[0]).toMatchObject({ type: 'message', content: [{ type: 'input_text', text: 'a' }] });
    expect(String(items[1].id)).toMatch(/^fco_/);
    const page = listPage(items, { limit: 1, order: 'desc' });
    expect(page).toMatchObject({ object: 'list', has_more: true, first_id: items[1].id });
    expect(listPage(items, { limit: 5, order: 'asc', after: String(items[0].id) }).data).toEqual([items[1]]);
  });

  it('budget reservations count structured input items and instructions', () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const plain = countPromptTokens({ input: text }, 'gpt-4o');
    const structured = countPromptTokens(
      {
        instructions: text,
        input: [
          { role: 'user', content: [{ type: 'input_text', text }] },
          { type: 'function_call', name: 'lookup', arguments: JSON.stringify({ q: text }) },
          { type: 'function_call_output', call_id: 'c', output: text },
        ],
      },
      'gpt-4o',
    );
    // Four copies of the text (instructions, message, arguments, output) plus framing.
    expect(structured).toBeGreaterThan(4 * plain);
    expect(isRecord({})).toBe(true);
  });
});
