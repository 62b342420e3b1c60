/**
 * The engine as orchestration, with fake provider families (in-process `send`, scripted replies): capability
 * checks, the one retry loop for streams and non-streams, exactly one spend event per call, the authorize step,
 * billing of failed streams, and mock_response as an ordinary family.
 */
import { describe, expect, it } from 'vitest';
import type { AccessControl, AuthContext } from '../access/types.js';
import type { DeploymentConfig } from '../config/types.js';
import { GatewayError } from '../errors.js';
import type { SpendEvent } from '../ledger/spend-event.js';
import { logger } from '../logger.js';
import { builtinCatalog, emptyUsage, formatMoney, parseMoney, resolvePricing } from '../pricing/index.js';
import { parseOpenAiResponse } from '../providers/openai-compatible/openai-endpoints.js';
import { createOpenAiStreamDecoder } from '../providers/openai-compatible/openai-stream.js';
import { upstreamHttpError } from '../providers/shared/upstream-error.js';
import { deployment } from '../providers/test-support.js';
import {
  type CallType,
  type ProviderFamily,
  supportedCallTypes,
  type UpstreamReply,
  type UpstreamRequest,
} from '../providers/types.js';
import type { DeploymentRuntime } from './deployment-runtime.js';
import { createEngine, type StreamOutput } from './engine.js';

const AUTH: AuthContext = {
  isMaster: true,
  openMode: true,
  keyHash: '',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: [],
  permissions: {},
  metadata: {},
  tags: [],
};

/** $1 per 1000 input tokens, $2 per 1000 output tokens: easy hand arithmetic. */
const PRICES = { input_cost_per_token: '0.001', output_cost_per_token: '0.002' };

type Script = (req: UpstreamRequest, callType: CallType, stream: boolean) => UpstreamReply | Error;

const enc = new TextEncoder();
function reply(status: number, pieces: string[]): UpstreamReply {
  return {
    status,
    headers: {},
    body: (async function* () {
      for (const p of pieces) yield enc.encode(p);
    })(),
    text: async () => pieces.join(''),
  };
}
const chatJson = (prompt: number, completion: number, text = 'hi') =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion',
    model: 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'fake-model', choices: [{ index: 0, delta: { content } }] })}\n\n`;
const usageChunk = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'fake-model', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } })}\n\n`;

/** A family with a chat endpoint only, answering from `script`; records what it was asked to send. */
function fakeFamily(name: string, script: Script, authorize?: ProviderFamily['authorize']) {
  const sent: UpstreamRequest[] = [];
  const family: ProviderFamily = {
    name,
    endpoints: {
      chat: {
        build: (input) => ({
          url: `fake://${input.deployment.id}`,
          method: 'POST',
          headers: {},
          body: JSON.stringify(input.body),
        }),
        parse: (json, raw, input) => parseOpenAiResponse('chat', json, raw, input),
        decoder: (input) => createOpenAiStreamDecoder(input, { object: 'chat.completion.chunk' }),
      },
    },
    authorize,
    async send(req, input) {
      sent.push(req);
      const r = script(req, input.callType, input.stream);
      if (r instanceof Error) throw r;
      return r;
    },
    classifyError: (status, text, r, input) => upstreamHttpError(input, status, { message: text }, r),
  };
  return { family, sent };
}

function runtime(
  id: string,
  family: ProviderFamily,
  over: Partial<DeploymentConfig> = {},
): DeploymentRuntime {
  const config = deployment('openai/fake-model', { modelName: 'group', id, customPricing: PRICES, ...over });
  return {
    id,
    config,
    family,
    callTypes: new Set(supportedCallTypes(family)),
    configProblems: [],
    pricing: resolvePricing(
      { name: id, model: config.model, provider: 'openai', customPricing: config.customPricing },
      builtinCatalog(),
    ),
    apiBase: null,
    label: `group (${id})`,
    modelName: 'group',
  };
}

function engineWith(runtimes: DeploymentRuntime[], access: AccessControl | null = null) {
  const events: SpendEvent[] = [];
  const engine = createEngine({
    runtimes,
    catalog: builtinCatalog,
    logger,
    sink: { record: (e) => events.push(e) },
    access,
    numRetries: 2,
    timeoutSeconds: 30,
    sleep: async () => {},
  });
  return { engine, events };
}

const chatBody = (over: Record<string, unknown> = {}) => ({
  model: 'group',
  messages: [{ role: 'user', content: 'hello' }],
  ...over,
});

function collect(): { out: StreamOutput; text: () => string; ended: () => boolean } {
  let text = '';
  let ended = false;
  const abort = new AbortController();
  return {
    out: {
      signal: abort.signal,
      start() {},
      write(t) {
        text += t;
      },
      end() {
        ended = true;
      },
    },
    text: () => text,
    ended: () => ended,
  };
}

describe('capabilities', () => {
  it('a group whose families lack the call type answers a clear 400 naming provider and call type', async () => {
    const { family } = fakeFamily('fake', () => reply(200, [chatJson(1, 1)]));
    const { engine, events } = engineWith([runtime('a', family)]);
    const err = await engine
      .prepare({ callType: 'embedding', body: { model: 'group', input: 'x' }, auth: AUTH, requestId: 'r1' })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'TG_ERR_UNSUPPORTED', status: 400, param: 'model' });
    expect(err.message).toBe('Model "group" (provider openai) does not support embedding; it serves: chat.');
    expect(events).toHaveLength(0);
  });

  it('only members that serve the call type are picked', async () => {
    const { family: chatOnly } = fakeFamily('chat-only', () => reply(200, [chatJson(1, 1)]));
    const embedder: ProviderFamily = {
      name: 'embedder',
      endpoints: {
        embedding: {
          build: () => ({ url: 'fake://e', method: 'POST', headers: {}, body: null }),
          parse: (json, raw, input) => parseOpenAiResponse('embedding', json, raw, input),
        },
      },
      send: async () =>
        reply(200, [JSON.stringify({ data: [{ embedding: [1] }], usage: { prompt_tokens: 3 } })]),
      classifyError: () => new GatewayError('TG_ERR_UPSTREAM', 'x'),
    };
    const { engine, events } = engineWith([runtime('chat', chatOnly), runtime('emb', embedder)]);
    for (let i = 0; i < 10; i++) {
      const plan = await engine.prepare({
        callType: 'embedding',
        body: { model: 'group', input: 'abc' },
        auth: AUTH,
        requestId: `r${i}`,
      });
      const r = await engine.complete(plan);
      expect(r.runtime.config.id).toBe('emb');
    }
    // 3 prompt tokens × $0.001 = $0.003 each.
    expect(events.map((e) => e.spend)).toEqual(Array(10).fill('0.003'));
  });
});

describe('non-streaming', () => {
  it('prices the usage, records one event with the raw usage, settles the reservation with the cost', async () => {
    const settled: string[] = [];
    const access: AccessControl = {
      authenticate: () => AUTH,
      admit: () => ({ settle: (cost) => settled.push(cost) }),
    };
    const { family } = fakeFamily('fake', () => reply(200, [chatJson(1000, 500)]));
    const { engine, events } = engineWith([runtime('a', family)], access);
    const plan = await engine.prepare({ callType: 'chat', body: chatBody(), auth: AUTH, requestId: 'r1' });
    const r = await engine.complete(plan);
    // 1000 × 0.001 + 500 × 0.002 = 1 + 1 = 2
    expect(r.costText).toBe('2');
    expect(r.body).toBe(chatJson(1000, 500));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      spend: '2',
      status: 'success',
      promptTokens: 1000,
      completionTokens: 500,
    });
    expect(events[0].rawUsage).toEqual({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 });
    expect(settled).toEqual(['2']);
  });

  it('retries a retryable error on another deployment; one event for the call', async () => {
    const { family: failing, sent: sentA } = fakeFamily('a', () => reply(503, ['overloaded']));
    const { family: ok, sent: sentB } = fakeFamily('b', () => reply(200, [chatJson(10, 10)]));
    const { engine, events } = engineWith([runtime('a', failing), runtime('b', ok)]);
    for (let i = 0; i < 5; i++) {
      const plan = await engine.prepare({
        callType: 'chat',
        body: chatBody(),
        auth: AUTH,
        requestId: `r${i}`,
      });
      expect((await engine.complete(plan)).runtime.config.id).toBe('b');
    }
    expect(sentB).toHaveLength(5);
    expect(sentA.length).toBeGreaterThan(0);
    // 10 × 0.001 + 10 × 0.002 = 0.03
    expect(events.map((e) => [e.status, e.spend])).toEqual(Array(5).fill(['success', '0.03']));
  });

  it('never retries an error that says it is not retryable (a configuration error)', async () => {
    const { family, sent } = fakeFamily('fake', () => reply(200, [chatJson(1, 1)]));
    const broken: ProviderFamily = {
      ...family,
      endpoints: {
        chat: {
          ...family.endpoints.chat!,
          build: () => {
            throw new GatewayError('TG_ERR_PROVIDER_CONFIG', 'no API key');
          },
        },
      },
    };
    const { engine, events } = engineWith([runtime('a', broken), runtime('b', broken)]);
    const plan = await engine.prepare({ callType: 'chat', body: chatBody(), auth: AUTH, requestId: 'r1' });
    const err = await engine.complete(plan).catch((e) => e);
    expect(err).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG', retryable: false, status: 503 });
    expect(sent).toHaveLength(0);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'failure', spend: '0', httpStatus: 503 });
  });

  it('gives up after num_retries + 1 attempts with one failure event', async () => {
    const { family, sent } = fakeFamily('fake', () => reply(429, ['slow down']));
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({ callType: 'chat', body: chatBody(), auth: AUTH, requestId: 'r1' });
    const err = await engine.complete(plan).catch((e) => e);
    expect(err).toMatchObject({ status: 429, retryable: true });
    expect(sent).toHaveLength(3);
    expect(events).toHaveLength(1);
    expect(events[0].status).toBe('failure');
  });

  it('estimates usage the upstream did not report (flagged), never $0', async () => {
    const body = JSON.stringify({
      id: 'c',
      choices: [{ message: { role: 'assistant', content: 'hello world' } }],
    });
    const { family } = fakeFamily('fake', () => reply(200, [body]));
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({ callType: 'chat', body: chatBody(), auth: AUTH, requestId: 'r1' });
    const r = await engine.complete(plan);
    expect(events[0].estimated).toBe(true);
    expect(events[0].promptTokens).toBeGreaterThan(0);
    expect(events[0].completionTokens).toBe(2);
    expect(Number(r.costText)).toBeGreaterThan(0);
  });

  it('runs the family authorize step on the final request and sends what it returns', async () => {
    const { family, sent } = fakeFamily(
      'signed',
      () => reply(200, [chatJson(1, 1)]),
      async (req) => ({
        ...req,
        headers: { ...req.headers, authorization: `SIG ${String(req.body).length}` },
      }),
    );
    const { engine } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({ callType: 'chat', body: chatBody(), auth: AUTH, requestId: 'r1' });
    await engine.complete(plan);
    expect(sent[0].headers.authorization).toBe(`SIG ${String(sent[0].body).length}`);
  });

  it('a request-level mock_response is answered by the mock family, not the deployment', async () => {
    const { family, sent } = fakeFamily('fake', () => reply(500, ['must not be called']));
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ mock_response: 'canned answer' }),
      auth: AUTH,
      requestId: 'r1',
    });
    const r = await engine.complete(plan);
    expect(sent).toHaveLength(0);
    expect(JSON.parse(r.body).choices[0].message.content).toBe('canned answer');
    expect(events[0].status).toBe('success');
  });
});

describe('streaming', () => {
  it('forwards chunks, then the usage chunk with the exact cost when asked for, one event', async () => {
    const { family } = fakeFamily('fake', () =>
      reply(200, [chunk('Hel'), chunk('lo'), usageChunk(1000, 1), 'data: [DONE]\n\n']),
    );
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
      auth: AUTH,
      requestId: 'r1',
    });
    const c = collect();
    const s = await engine.stream(plan, c.out);
    // 1000 × 0.001 + 1 × 0.002 = 1.002
    expect(s.costText).toBe('1.002');
    expect(s.error).toBeNull();
    expect(c.text()).toContain(
      '"usage":{"prompt_tokens":1000,"completion_tokens":1,"cost":1.002,"request_id":"r1"}',
    );
    expect(c.text().endsWith('data: [DONE]\n\n')).toBe(true);
    expect(c.ended()).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ spend: '1.002', stream: true, status: 'success', estimated: false });
  });

  it('retries before the first byte, never after', async () => {
    let calls = 0;
    const { family } = fakeFamily('fake', () =>
      ++calls === 1 ? reply(502, ['bad gateway']) : reply(200, [chunk('ok'), usageChunk(1, 1)]),
    );
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ stream: true }),
      auth: AUTH,
      requestId: 'r1',
    });
    const c = collect();
    await engine.stream(plan, c.out);
    expect(calls).toBe(2);
    expect(events).toHaveLength(1);
  });

  it('an in-stream upstream error: the client gets an error frame, the call is logged as failed and billed for the tokens so far', async () => {
    const key = 'sk-live-THISISASECRETKEY123456';
    const { family } = fakeFamily('fake', () =>
      reply(200, [chunk('one two three'), `data: {"error":{"message":"upstream exploded, key ${key}"}}\n\n`]),
    );
    const { engine, events } = engineWith([runtime('a', family, { apiKey: key })]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
      auth: AUTH,
      requestId: 'r1',
    });
    const c = collect();
    const s = await engine.stream(plan, c.out);
    expect(s.error).toMatchObject({ code: 'TG_ERR_UPSTREAM', retryable: false });
    expect(c.text()).not.toContain('THISISASECRET');
    expect(c.text()).toContain('"tollgate_code":"TG_ERR_UPSTREAM"');
    expect(c.text()).not.toContain('[DONE]');
    expect(events).toHaveLength(1);
    const e = events[0];
    expect(e.status).toBe('failure');
    expect(e.estimated).toBe(true);
    expect(e.completionTokens).toBe(3);
    // Billed: prompt tokens (estimated) × 0.001 + 3 × 0.002.
    expect(e.spend).toBe(
      formatMoney(parseMoney('0.001') * BigInt(e.promptTokens) + parseMoney('0.002') * 3n),
    );
    expect(e.promptTokens).toBeGreaterThan(0);
    expect(e.errorMessage).toContain('key sk-***');
    expect(e.errorMessage).not.toContain('THISISASECRET');
  });

  it('an upstream that breaks off mid-stream: failure billed for what was generated', async () => {
    const broken: UpstreamReply = {
      status: 200,
      headers: {},
      body: (async function* () {
        yield enc.encode(chunk('partial answer'));
        throw Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
      })(),
      text: async () => '',
    };
    const { family } = fakeFamily('fake', () => broken);
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ stream: true }),
      auth: AUTH,
      requestId: 'r1',
    });
    const c = collect();
    const s = await engine.stream(plan, c.out);
    expect(s.error?.message).toMatch(/broke off the stream \(UND_ERR_SOCKET\)/);
    expect(c.text()).toContain('"error"');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'failure', estimated: true, completionTokens: 2 });
    expect(Number(events[0].spend)).toBeGreaterThan(0);
  });

  it('a client that goes away: upstream aborted, usage estimated, logged once', async () => {
    const abort = new AbortController();
    let text = '';
    const out: StreamOutput = {
      signal: abort.signal,
      start() {},
      write(t) {
        text += t;
        abort.abort();
      },
      end() {},
    };
    const { family } = fakeFamily('fake', () => ({
      status: 200,
      headers: {},
      body: (async function* () {
        yield enc.encode(chunk('first'));
        throw new Error('aborted');
      })(),
      text: async () => '',
    }));
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ stream: true }),
      auth: AUTH,
      requestId: 'r1',
    });
    const s = await engine.stream(plan, out);
    expect(s.error).toBeNull();
    expect(text).not.toContain('error');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 'success', estimated: true, completionTokens: 1 });
  });

  it('usage the stream never reported is estimated', async () => {
    const { family } = fakeFamily('fake', () => reply(200, [chunk('a b c d'), 'data: [DONE]\n\n']));
    const { engine, events } = engineWith([runtime('a', family)]);
    const plan = await engine.prepare({
      callType: 'chat',
      body: chatBody({ stream: true }),
      auth: AUTH,
      requestId: 'r1',
    });
    await engine.stream(plan, collect().out);
    expect(events[0]).toMatchObject({ estimated: true, completionTokens: 4 });
    expect({ ...emptyUsage() }.estimated).toBe(false);
  });
});

describe('byte streams priced up front (speech)', () => {
  it('always streams, passes the content type and the cost to start(), forwards bytes, bills exactly that', async () => {
    // Custom price: $0.001 per character; "hello world" = 11 characters → $0.011.
    const audio = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
    const speaker: ProviderFamily = {
      name: 'speaker',
      endpoints: {
        speech: {
          build: () => ({ url: 'fake://tts', method: 'POST', headers: {}, body: null }),
          parse: () => ({ body: {}, usage: emptyUsage(), rawUsage: null }),
          decoder: (input) => {
            const usage = { ...emptyUsage(), inputCharacters: [...String(input.body.input)].length };
            return {
              contentType: 'audio/wav',
              knownUsage: usage,
              push: (b) => b,
              end: () => ({ usage: { ...usage }, rawUsage: null, text: '', error: null }),
              finalize: () => '',
            };
          },
        },
      },
      send: async () => ({
        status: 200,
        headers: {},
        body: (async function* () {
          yield* audio;
        })(),
        text: async () => '',
      }),
      classifyError: () => new GatewayError('TG_ERR_UPSTREAM', 'x'),
    };
    const rt = runtime('tts', speaker, { customPricing: { input_cost_per_character: '0.001' } });
    rt.pricing = resolvePricing(
      {
        name: 'tts',
        model: 'openai/fake-tts',
        provider: 'openai',
        customPricing: { input_cost_per_character: '0.001' },
      },
      builtinCatalog(),
    );
    const { engine, events } = engineWith([rt]);
    const plan = await engine.prepare({
      callType: 'speech',
      body: { model: 'group', input: 'hello world' },
      auth: AUTH,
      requestId: 'tts-1',
    });
    expect(plan.stream).toBe(true);
    const heads: unknown[] = [];
    const written: Array<string | Uint8Array> = [];
    const abort = new AbortController();
    const summary = await engine.stream(plan, {
      signal: abort.signal,
      start: (_rt, head) => heads.push(head),
      write: (t) => {
        written.push(t);
      },
      end() {},
    });
    expect(heads).toEqual([{ contentType: 'audio/wav', cost: { text: '0.011', source: 'custom' } }]);
    // The audio as it came (the closing write of a byte stream is empty).
    expect(written.filter((w) => w.length > 0)).toEqual(audio);
    expect(summary.costText).toBe('0.011');
    expect(events.map((e) => [e.callType, e.spend, e.stream])).toEqual([['speech', '0.011', true]]);
  });
});

describe('budget reservations for the Responses API', () => {
  it('count structured input items, instructions and max_output_tokens', async () => {
    const { family } = fakeFamily('fake', () => reply(200, [chatJson(1, 1)]));
    const withResponses: ProviderFamily = {
      ...family,
      endpoints: { ...family.endpoints, responses: family.endpoints.chat },
    };
    const seen: Array<{ max: string; prompt: number }> = [];
    const access: AccessControl = {
      authenticate: () => AUTH,
      admit: (_a, req) => {
        seen.push({ max: req.maxCostUsd, prompt: req.promptTokens });
        return { settle() {} };
      },
    };
    const { engine } = engineWith([runtime('a', withResponses)], access);
    const long = 'tokens '.repeat(200);
    await engine.prepare({
      callType: 'responses',
      body: {
        model: 'group',
        instructions: long,
        input: [
          { role: 'user', content: [{ type: 'input_text', text: long }] },
          { type: 'function_call_output', call_id: 'c', output: long },
        ],
        max_output_tokens: 100,
      },
      auth: AUTH,
      requestId: 'b1',
    });
    const { prompt, max } = seen[0];
    // Three copies of 200+ tokens were counted, and the reservation is prompt × $0.001 + 100 × $0.002.
    expect(prompt).toBeGreaterThan(600);
    expect(max).toBe(formatMoney(parseMoney('0.001') * BigInt(prompt) + parseMoney('0.002') * 100n));
  });
});
