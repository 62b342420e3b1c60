/**
 * general_settings.allow_requests_on_db_unavailable: the database is unreachable at start, yet the gateway
 * starts (as LiteLLM does): readiness says it is degraded and why, the master key authenticates, requests are
 * priced and their spend events wait in the spool, and a key the gateway has not seen gets a clear 503 (it
 * cannot be verified), never a 500. Without the setting the start is refused with one clear line.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../src/gateway/database-startup.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/** A loopback port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const config = (url: string, allow: boolean) => `
model_list:
  - model_name: demo
    litellm_params: { model: openai/gpt-4o, mock_response: "hello" }
general_settings:
  master_key: sk-1234
  database_url: ${url}
  allow_requests_on_db_unavailable: ${allow}
`;

let t: TestGateway;
let url: string;

beforeAll(async () => {
  url = `postgres://tollgate:s3cret-pw@127.0.0.1:${await closedPort()}/tollgate`;
  t = await startTestGateway(config(url, true), { ledger: { flushIntervalMs: 50, closeTimeoutMs: 500 } });
});
afterAll(async () => {
  await t?.close();
});

describe('allow_requests_on_db_unavailable', () => {
  it('readiness is 200 "degraded" and says what works', async () => {
    const res = await fetch(`${t.url}/health/readiness`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'degraded',
      db: 'disconnected',
      allow_requests_on_db_unavailable: true,
    });
    expect(String(body.db_unavailable_mode)).toMatch(
      /spend events are spooled .* only the master key and keys already cached/,
    );
  });

  it('the master key is served and billed; the spend event waits in the spool', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeGreaterThan(0);
    expect(t.gw.ledger.stats().pending).toBeGreaterThanOrEqual(1);
  });

  it('a key that cannot be verified without the database gets a clear 503', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-never-seen-key-123456', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { tollgate_code: string; message: string } };
    expect(body.error.tollgate_code).toBe('TG_ERR_DB_UNAVAILABLE');
    expect(body.error.message).toMatch(/database is unreachable/);
  });

  it('without the setting the start is refused, naming the URL with its password masked', async () => {
    let err: unknown;
    try {
      const other = await startTestGateway(config(url, false));
      await other.close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    const msg = (err as Error).message;
    expect(msg).toContain(`general_settings.database_url = ${url.replace('s3cret-pw', '****')}`);
    expect(msg).not.toContain('s3cret-pw');
    expect(msg.split('\n')).toHaveLength(1);
  });
});
