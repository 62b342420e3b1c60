/**
 * End-to-end: a stream's response headers reach the client when the upstream's do, even while the model has not
 * sent its first event yet (a reasoning model thinking). The gateway no longer flushes its headers on their own
 * before every first write (that cost one syscall per stream): they leave with the first bytes, or on the next turn
 * of the event loop when no bytes came with the upstream's headers. The upstream here is a bare node:http server
 * that answers with its headers and then holds the first event until the test releases it.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

let upstream: Server;
let upstreamUrl = '';
let release: () => void = () => {};
let upstreamWaiting: Promise<void> = Promise.resolve();
let t: TestGateway;

const event = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
const base = {
  id: 'chatcmpl-think',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'thinker-1',
};

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      res.flushHeaders();
      let reached: () => void = () => {};
      upstreamWaiting = new Promise<void>((r) => {
        reached = r;
      });
      new Promise<void>((r) => {
        release = r;
        reached();
      }).then(() => {
        res.write(event({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Done' } }] }));
        res.write(event({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
        res.write(
          event({
            ...base,
            choices: [],
            usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
          }),
        );
        res.end('data: [DONE]\n\n');
      });
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
  t = await startTestGateway(`
model_list:
  - model_name: thinker
    litellm_params: { model: openai/thinker-1, api_base: "${upstreamUrl}", api_key: sk-up }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
general_settings:
  master_key: sk-1234
`);
});
afterAll(async () => {
  release();
  await t?.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

it('sends the headers while the upstream holds its first event, then streams and prices it', async () => {
  const res = fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'thinker',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'think first' }],
    }),
  });
  // The upstream has answered with its headers only and waits for the release below.
  const headersFirst = await Promise.race([
    res.then((r) => r),
    new Promise<'no headers'>((r) => setTimeout(() => r('no headers'), 5_000)),
  ]);
  await upstreamWaiting;
  expect(headersFirst).not.toBe('no headers');
  const r = headersFirst as Response;
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(r.headers.get('x-tollgate-request-id')).toMatch(/^[0-9a-f-]{36}$/);

  release();
  const text = await r.text();
  const events = text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6));
  expect(events.at(-1)).toBe('[DONE]');
  expect(JSON.parse(events[0]).choices[0].delta.content).toBe('Done');
  // 10 prompt tokens at $0.000001 + 4 completion tokens at $0.000002 = $0.000018.
  const usage = JSON.parse(events.at(-2)!).usage;
  expect(usage.cost).toBe(0.000018);
});
