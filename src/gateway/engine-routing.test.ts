/**
 * The engine with the router over real HTTP (the project's mock upstream): upstream 4xx answers are logged at
 * debug (--detailed_debug), redacted; stream_timeout bounds streaming calls only; the budget reservation's worst
 * case covers the fallback groups that may answer instead.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessControl, AdmissionRequest, AuthContext } from '../access/types.js';
import { parseConfig } from '../config/load.js';
import type { GatewayError } from '../errors.js';
import { startMockUpstream } from '../mock-upstream/server.js';
import { builtinCatalog, formatMoney, parseMoney } from '../pricing/index.js';
import { buildRuntimes } from './deployment-runtime.js';
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
const KEY = 'sk-deployment-secret-0123456789abcdef';

let mock: Awaited<ReturnType<typeof startMockUpstream>>;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

function engineFor(yaml: string, o: { lines?: string[]; access?: AccessControl } = {}) {
  const config = parseConfig(yaml.replaceAll('{{MOCK}}', mock.url), { env: {} });
  const built = buildRuntimes(config, builtinCatalog());
  const logger = pino({ level: 'debug' }, { write: (s: string) => o.lines?.push(s) });
  return createEngine({
    runtimes: built.runtimes,
    wildcards: built.wildcards,
    disabled: built.disabled,
    routerPolicy: config.routerSettings.policy,
    catalog: builtinCatalog,
    logger,
    access: o.access ?? null,
    numRetries: config.routerSettings.numRetries,
    timeoutSeconds: config.routerSettings.timeout,
    sleep: async () => {},
  });
}

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello there' }],
  ...extra,
});

describe('engine + router over HTTP', () => {
  it('an upstream 4xx is logged at debug with its status and the (redacted) message', async () => {
    const lines: string[] = [];
    const engine = engineFor(
      `model_list:\n  - model_name: bad\n    litellm_params: { model: openai/fail-400, api_base: "{{MOCK}}/v1", api_key: ${KEY} }\n`,
      { lines },
    );
    const plan = await engine.prepare({
      callType: 'chat',
      body: chat('bad'),
      auth: AUTH,
      requestId: 'r-400',
    });
    await expect(engine.complete(plan)).rejects.toMatchObject({ status: 400 });
    const debug = lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.level === 20 && /upstream error/.test(l.msg));
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatchObject({ requestId: 'r-400', status: 400, code: 'TG_ERR_UPSTREAM' });
    expect(debug[0].msg).toContain('returned 400: Invalid request (mock fail-400).');
    expect(lines.join('\n')).not.toContain(KEY);
  });

  it('stream_timeout bounds a streaming call; the non-streaming timeout is separate', async () => {
    const engine = engineFor(
      'model_list:\n  - model_name: slow\n    litellm_params: { model: openai/hang, api_base: "{{MOCK}}/v1", api_key: k, timeout: 30, stream_timeout: 1, max_retries: 0 }\n',
    );
    const plan = await engine.prepare({
      callType: 'chat',
      body: chat('slow', { stream: true }),
      auth: AUTH,
      requestId: 'r-stream',
    });
    const abort = new AbortController();
    const out: StreamOutput = { start() {}, write() {}, end() {}, signal: abort.signal };
    const err = (await engine.stream(plan, out).catch((e) => e)) as GatewayError;
    expect(err.code).toBe('TG_ERR_UPSTREAM_TIMEOUT');
    expect(err.message).toContain('did not answer within 1s');
  });

  it("the budget's worst case covers the fallback group that may answer instead", async () => {
    let seen: AdmissionRequest | undefined;
    const access: AccessControl = {
      authenticate: () => AUTH,
      admit(_auth, req) {
        seen = req;
        return { settle() {} };
      },
    };
    const engine = engineFor(
      [
        'model_list:',
        '  - model_name: cheap',
        '    litellm_params: { model: openai/fail-500, api_base: "{{MOCK}}/v1", api_key: k }',
        '    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }',
        '  - model_name: pricey',
        '    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: k }',
        '    model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 }',
        'router_settings:',
        '  fallbacks: [{ cheap: [pricey] }]',
        '',
      ].join('\n'),
      { access },
    );
    await engine.prepare({
      callType: 'chat',
      body: chat('cheap', { max_tokens: 100 }),
      auth: AUTH,
      requestId: 'r-b',
    });
    expect(seen).toBeDefined();
    const admission = seen as AdmissionRequest;
    const prompt = admission.promptTokens;
    expect(prompt).toBeGreaterThan(0);
    // Worst case on `pricey`: prompt × $0.001 + 100 max_tokens × $0.002 (cheap alone would be 1000× less).
    const expected = BigInt(prompt) * parseMoney('0.001') + 100n * parseMoney('0.002');
    expect(admission.maxCostUsd).toBe(formatMoney(expected));
  });
});
