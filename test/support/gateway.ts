/**
 * Starts a real gateway (HTTP on an ephemeral port, embedded PGlite in a temp folder unless a
 * database URL is given) and the project's mock upstream, for end-to-end tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { createGatewayServer, type Gateway, type GatewayOptions } from '../../src/gateway/server.js';
import { logger } from '../../src/logger.js';
import { startMockUpstream } from '../../src/mock-upstream/server.js';

export type MockUpstream = Awaited<ReturnType<typeof startMockUpstream>>;

export interface TestGateway {
  url: string;
  gw: Gateway;
  mock: MockUpstream;
  dataDir: string;
  close(): Promise<void>;
}

/** `yaml` may use {{MOCK}} for the mock upstream's base URL (e.g. http://127.0.0.1:PORT). */
export async function startTestGateway(
  yaml: string,
  opts: Partial<Omit<GatewayOptions, 'config' | 'logger'>> & { env?: NodeJS.ProcessEnv } = {},
): Promise<TestGateway> {
  const mock = await startMockUpstream({ port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const env = { ...process.env, ...opts.env };
  const config = parseConfig(yaml.replaceAll('{{MOCK}}', mock.url), { env });
  const gw = await createGatewayServer({
    config,
    logger,
    dataDir,
    env,
    ledger: { flushIntervalMs: 50, ...opts.ledger },
    ...opts,
  });
  const url = await gw.listen(0, '127.0.0.1');
  return {
    url,
    gw,
    mock,
    dataDir,
    async close() {
      await gw.close();
      await mock.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
