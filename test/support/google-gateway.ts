/**
 * A gateway with Gemini (`gemini/`) and Vertex AI (`vertex_ai/`) deployments in front of the project's
 * mock upstream, for the Google end-to-end tests. The mock starts first so the test service account's
 * `token_uri` can point at its token endpoint; the key reaches the config through `os.environ/`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { createGatewayServer, type Gateway } from '../../src/gateway/server.js';
import { logger } from '../../src/logger.js';
import { type MockUpstream, startMockUpstream } from '../../src/mock-upstream/server.js';
import { type TestServiceAccount, testServiceAccount } from '../../src/providers/vertex/test-support.js';

export interface GoogleGateway {
  url: string;
  gw: Gateway;
  mock: MockUpstream;
  key: TestServiceAccount;
  close(): Promise<void>;
}

/** `yaml` may use {{MOCK}} (the mock's base URL); `os.environ/TG_TEST_VERTEX_KEY` is the registered key,
 * `os.environ/TG_TEST_VERTEX_STRANGER` a well-formed key the token endpoint does not know. */
export async function startGoogleGateway(yaml: string): Promise<GoogleGateway> {
  const mock = await startMockUpstream({ port: 0 });
  const key = testServiceAccount(mock);
  const stranger = testServiceAccount(mock, {
    email: 'stranger@elsewhere.iam.gserviceaccount.com',
    register: false,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-google-'));
  const env = {
    ...process.env,
    TG_TEST_VERTEX_KEY: JSON.stringify(key),
    TG_TEST_VERTEX_STRANGER: JSON.stringify(stranger),
  };
  const config = parseConfig(yaml.replaceAll('{{MOCK}}', mock.url), { env });
  const gw = await createGatewayServer({ config, logger, dataDir, env, ledger: { flushIntervalMs: 50 } });
  const url = await gw.listen(0, '127.0.0.1');
  return {
    url,
    gw,
    mock,
    key,
    async close() {
      await gw.close();
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The spend log row of a request. */
export async function spendRow(g: GoogleGateway, requestId: string): Promise<Record<string, unknown>> {
  await g.gw.ledger.flush();
  const r = await g.gw.db.query('SELECT * FROM tg_spend_logs WHERE request_id = $1', [requestId]);
  if (r.rows.length !== 1) throw new Error(`expected one spend row for ${requestId}, found ${r.rows.length}`);
  return r.rows[0] as Record<string, unknown>;
}

/** Exact decimal text of `units` × 10^-scale USD (shortest form), for hand calculations. */
export function usd(units: bigint, scale = 10): string {
  const neg = units < 0n;
  const padded = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const whole = padded.slice(0, -scale);
  const frac = padded.slice(-scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${frac ? `${whole}.${frac}` : whole}`;
}
