import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import {
  built,
  decode,
  deployment,
  input,
  jsonBody,
  roundTrip,
  splitAt,
  splitBytes,
  sseDataPayloads,
  streamRoundTrip,
} from '../test-support.js';
import { ollamaFamily as ollamaAdapter, ollamaChatFamily as ollamaChatAdapter } from './ollama-family.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const chat = {
  model: 'g',
  messages: [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'what is this' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      ],
    },
  ],
  temperature: 0.1,
  max_tokens: 50,
  stop: 'x',
  response_format: { type: 'json_object' },
  user: 'dropped',
};

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

describe('requests', () => {
  it('ollama_chat → /api/chat with options, images and explicit stream flag', async () => {
    const req = await built(ollamaChatAdapter, 'chat', chat, deployment('ollama_chat/llama3.2'));
    expect(req.url).toBe('http://localhost:11434/api/chat');
    expect(req.headers.authorization).toBeUndefined();
    expect(jsonBody(req)).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'what is this', images: ['AAAA'] },
      ],
      options: { temperature: 0.1, num_predict: 50, stop: ['x'] },
      format: 'json',
      stream: false,
    });
  });

  it('ollama → /api/generate with a prompt built from the messages; embeddings → /api/embed', async () => {
    const req = await built(
      ollamaAdapter,
      'chat',
      chat,
      deployment('ollama/llama3.2', { apiBase: 'http://gpu:11434/' }),
      true,
    );
    expect(req.url).toBe('http://gpu:11434/api/generate');
    expect(jsonBody(req)).toMatchObject({
      model: 'llama3.2',
      prompt: 'what is this',
      system: 'Be brief.',
      images: ['AAAA'],
      stream: true,
    });
    const emb = await built(ollamaAdapter, 'embedding', { input: ['a'] }, deployment('ollama/all-minilm'));
    expect(emb.url).toBe('http://localhost:11434/api/embed');
    expect(jsonBody(emb)).toEqual({ model: 'all-minilm', input: ['a'] });
  });

  it('assistant tool calls get object arguments', async () => {
    const body = {
      messages: [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
    };
    const sent = jsonBody(await built(ollamaChatAdapter, 'chat', body, deployment('ollama_chat/m')));
    expect(sent.messages).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
      { role: 'tool', content: 'done' },
    ]);
  });
});

describe('fixtures', () => {
  it('non-streaming chat: usage from prompt_eval_count / eval_count', () => {
    const parsed = ollamaChatAdapter.endpoints.chat!.parse(
      JSON.parse(fixture('ollama-chat.json')),
      fixture('ollama-chat.json'),
      input('chat', {}, deployment('ollama_chat/m')),
    );
    expect(parsed.usage).toMatchObject({ inputTokens: 26, outputTokens: 298, cacheReadTokens: 0 });
    expect(parsed.responseModel).toBe('llama3.2');
    expect(parsed.body).toMatchObject({
      object: 'chat.completion',
      created: 1702390423,
      choices: [
        { message: { role: 'assistant', content: 'Hello! How are you today?' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 26, completion_tokens: 298, total_tokens: 324 },
    });
  });

  it('tool calls become OpenAI tool_calls with JSON arguments', () => {
    const parsed = ollamaChatAdapter.endpoints.chat!.parse(
      JSON.parse(fixture('ollama-tool.json')),
      fixture('ollama-tool.json'),
      input('chat', {}, deployment('ollama_chat/m')),
    );
    const choice = (
      parsed.body.choices as {
        message: { content: unknown; tool_calls: { type: string; function: unknown }[] };
        finish_reason: string;
      }[]
    )[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' },
    });
  });

  it('NDJSON chat stream → OpenAI chunks, split anywhere', () => {
    const raw = fixture('ollama-chat.chunks.ndjson');
    const norm = (s: string) =>
      s.replace(/"id":"[^"]+"/g, '"id":""').replace(/"created":\d+/g, '"created":0');
    const whole = decode(ollamaChatAdapter, 'chat', deployment('ollama_chat/m'), [raw]);
    const chunks = sseDataPayloads(whole.out).slice(0, -2) as {
      choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
    }[];
    expect(chunks.map((c) => c.choices[0].delta.content ?? null)).toEqual([
      'The',
      ' sky is blue',
      ' because of Rayleigh scattering. Schöne Grüße 🌍',
      null,
    ]);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(whole.outcome.usage).toMatchObject({ inputTokens: 26, outputTokens: 282 });
    expect(sseDataPayloads(whole.out).at(-2)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 26, completion_tokens: 282, cost: 0.0012 },
    });
    fc.assert(
      fc.property(fc.array(fc.nat(raw.length), { maxLength: 15 }), (cuts) => {
        const split = decode(ollamaChatAdapter, 'chat', deployment('ollama_chat/m'), splitAt(raw, cuts));
        expect(norm(split.out)).toBe(norm(whole.out));
        expect(split.outcome.usage).toEqual(whole.outcome.usage);
        const bytes = decode(ollamaChatAdapter, 'chat', deployment('ollama_chat/m'), splitBytes(raw, cuts));
        expect(norm(bytes.out)).toBe(norm(whole.out));
      }),
      { numRuns: 150 },
    );
  });

  it('NDJSON generate stream as a completion, done_reason length', () => {
    const { out, outcome: result } = decode(ollamaAdapter, 'completion', deployment('ollama/m'), [
      fixture('ollama-generate.chunks.ndjson'),
    ]);
    const chunks = sseDataPayloads(out).slice(0, -2) as {
      object: string;
      choices: { text: string; finish_reason: string | null }[];
    }[];
    expect(chunks.map((c) => c.choices[0].text).join('')).toBe('The answer');
    expect(chunks[0].object).toBe('text_completion');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('length');
    expect(result.usage).toMatchObject({ inputTokens: 26, outputTokens: 259 });
  });
});

describe('round trips through the mock upstream', () => {
  const d = (model: string) => deployment(model, { apiBase: mock.url });
  const simple = { messages: [{ role: 'user', content: 'hello there' }] };

  it('ollama_chat and ollama chat, streaming and not, agree on usage', async () => {
    for (const [adapter, model, path] of [
      [ollamaChatAdapter, 'ollama_chat/llama3', '/api/chat'],
      [ollamaAdapter, 'ollama/llama3', '/api/generate'],
    ] as const) {
      const r = await roundTrip(adapter, 'chat', simple, d(model));
      expect(mock.requests.at(-1)!.path).toBe(path);
      expect(mock.requests.at(-1)!.body).toMatchObject({ stream: false });
      expect((r.body.choices as { message: { content: string } }[])[0].message.content).toBe(
        'Hello from the mock upstream. You said: hello there',
      );
      const s = await streamRoundTrip(adapter, 'chat', simple, d(model));
      expect(s.outcome.usage).toEqual(r.usage);
      expect(s.outcome.text).toBe('Hello from the mock upstream. You said: hello there');
    }
  });

  it('completion and embeddings', async () => {
    const c = await roundTrip(ollamaAdapter, 'completion', { prompt: 'hello' }, d('ollama/llama3'));
    expect(c.body.object).toBe('text_completion');
    expect(c.usage!.inputTokens).toBe(1);
    const e = await roundTrip(
      ollamaAdapter,
      'embedding',
      { input: ['a', 'b'] },
      d('ollama/nomic-embed-text'),
    );
    expect((e.body.data as { embedding: number[] }[]).map((x) => x.embedding.length)).toEqual([8, 8]);
    expect(e.usage!.inputTokens).toBe(2);
  });

  it('tool calls and errors', async () => {
    const body = {
      ...simple,
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        },
      ],
    };
    const r = await roundTrip(ollamaChatAdapter, 'chat', body, d('ollama_chat/llama3-tool-call'));
    expect(r.body).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: { tool_calls: [{ function: { name: 'lookup', arguments: '{"q":"mock"}' } }] },
        },
      ],
    });
    const s = await streamRoundTrip(ollamaChatAdapter, 'chat', body, d('ollama_chat/llama3-tool-call'));
    expect(sseDataPayloads(s.out).at(-3)).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] });
    const err = await roundTrip(ollamaChatAdapter, 'chat', simple, d('ollama_chat/missing-model')).catch(
      (x) => x,
    );
    expect(err.status).toBe(404);
    expect(err.error.message).toMatch(/returned 404: model "missing-model" not found, try pulling it first$/);
    const mid = await streamRoundTrip(
      ollamaChatAdapter,
      'chat',
      simple,
      d('ollama_chat/llama3-stream-error'),
    );
    expect(mid.outcome.error?.message).toMatch(
      /sent an error mid-stream: an error was encountered while running the model$/,
    );
    expect(sseDataPayloads(mid.out).at(-1)).toMatchObject({
      error: { type: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' },
    });
  });
});
