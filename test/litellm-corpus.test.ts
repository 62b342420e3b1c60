/**
 * Real, public LiteLLM proxy configs (test/litellm-corpus/, each with its source repository, path and commit)
 * load as a LiteLLM user would expect, and every model name in them gets past routing: the request reaches
 * its provider's wire format (the network layer is replaced by a recorder: no test reaches the internet), is
 * answered by mock_response, or is refused with a clear 400 naming why its deployment is disabled (providers
 * this build does not have yet). Nothing ends as "unknown model" or an internal error, and every request
 * leaves exactly one spend event.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { AuthContext } from '../src/access/types.js';
import { parseConfig } from '../src/config/load.js';
import type { GatewayConfig } from '../src/config/types.js';
import { GatewayError } from '../src/errors.js';
import { buildRuntimes } from '../src/gateway/deployment-runtime.js';
import { createEngine } from '../src/gateway/engine.js';
import type { SpendEvent } from '../src/ledger/spend-event.js';
import { builtinCatalog } from '../src/pricing/index.js';
import type { CallType, UpstreamRequest } from '../src/providers/types.js';

/** Every upstream request the corpus makes, instead of the network. */
const sent: UpstreamRequest[] = [];
vi.mock('../src/gateway/upstream-client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/gateway/upstream-client.js')>();
  return {
    ...real,
    sendUpstream: async (req: UpstreamRequest) => {
      sent.push(req);
      const err = Object.assign(new Error('connect ECONNREFUSED (corpus test: no network)'), {
        code: 'ECONNREFUSED',
      });
      throw err;
    },
  };
});

const DIR = join(import.meta.dirname, 'litellm-corpus');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

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

/** Values for every os.environ/NAME the file references, as a user who set them up would have. */
function envFor(text: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const m of text.matchAll(/os\.environ\/([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1];
    if (name === 'DATABASE_URL') continue;
    env[name] = /(BASE|URL|ENDPOINT)/.test(name)
      ? 'http://127.0.0.1:9/v1'
      : /PORT$/.test(name)
        ? '6379'
        : `test-${name.toLowerCase()}`;
  }
  return env;
}

/** A name that a wildcard pattern matches (its `*` filled with a catalog-like name). */
function sampleName(pattern: string): string {
  if (pattern === '*') return 'gpt-4o';
  if (pattern.endsWith('/*')) {
    const p = pattern.slice(0, -2);
    const sample: Record<string, string> = {
      anthropic: 'claude-3-5-sonnet-20240620',
      groq: 'llama3-8b-8192',
    };
    return `${p}/${sample[p] ?? 'some-model'}`;
  }
  return pattern.replaceAll('*', 'x');
}

function callTypeFor(mode: string | undefined): CallType {
  if (mode === 'embedding') return 'embedding';
  if (mode === 'image_generation') return 'image_generation';
  return 'chat';
}

function bodyFor(callType: CallType, model: string): Record<string, unknown> {
  if (callType === 'embedding') return { model, input: 'hello' };
  if (callType === 'image_generation') return { model, prompt: 'a cat' };
  return { model, messages: [{ role: 'user', content: 'hello' }] };
}

type Outcome = 'sent' | 'answered' | 'disabled' | 'provider-config' | 'unsupported-call';

interface Tried {
  name: string;
  outcome: Outcome;
  message: string;
}

async function routeEveryName(config: GatewayConfig): Promise<{ tried: Tried[]; events: SpendEvent[] }> {
  const built = buildRuntimes(config, builtinCatalog());
  const events: SpendEvent[] = [];
  const engine = createEngine({
    runtimes: built.runtimes,
    wildcards: built.wildcards,
    disabled: built.disabled,
    routerPolicy: config.routerSettings.policy,
    catalog: builtinCatalog,
    logger: pino({ level: 'silent' }),
    sink: { record: (e) => events.push(e) },
    numRetries: config.routerSettings.numRetries,
    timeoutSeconds: config.routerSettings.timeout,
    sleep: async () => {},
  });
  const names = new Map<string, string | undefined>();
  for (const d of config.deployments) if (!names.has(d.modelName)) names.set(d.modelName, d.mode);
  for (const d of config.disabledDeployments ?? [])
    if (d.modelName && !names.has(d.modelName)) names.set(d.modelName, undefined);
  const tried: Tried[] = [];
  let n = 0;
  for (const [pattern, mode] of names) {
    const name = pattern.includes('*') ? sampleName(pattern) : pattern;
    const callType = callTypeFor(mode);
    const before = sent.length;
    let outcome: Outcome;
    let message = '';
    try {
      const plan = await engine.prepare({
        callType,
        body: bodyFor(callType, name),
        auth: AUTH,
        requestId: `r${n++}`,
      });
      await engine.complete(plan);
      outcome = 'answered';
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      message = err.message;
      if (err.code === 'TG_ERR_UPSTREAM_UNREACHABLE' && sent.length > before) outcome = 'sent';
      else if (err.code === 'TG_ERR_DEPLOYMENT_DISABLED') outcome = 'disabled';
      else if (err.code === 'TG_ERR_PROVIDER_CONFIG') outcome = 'provider-config';
      else if (err.code === 'TG_ERR_UNSUPPORTED') outcome = 'unsupported-call';
      else throw new Error(`"${name}" did not get past routing: ${err.code} ${err.message}`);
    }
    tried.push({ name, outcome, message });
  }
  return { tried, events };
}

describe('LiteLLM config corpus', () => {
  it('has at least 30 configs, each naming its source repository, path and commit', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(30);
    for (const f of FILES) {
      const head = readFileSync(join(DIR, f), 'utf8').split('\n').slice(0, 4).join('\n');
      expect(head, f).toMatch(/# source: [\w.-]+\/[\w.-]+ {2}path: \S+ {2}commit: [0-9a-f]{40}/);
      expect(head, f).toMatch(/# secrets: /);
    }
  });

  for (const f of FILES) {
    it(`${f} loads and every model name gets past routing`, async () => {
      const text = readFileSync(join(DIR, f), 'utf8');
      const config = parseConfig(text, { env: envFor(text), sourcePath: join(DIR, f) });
      const { tried, events } = await routeEveryName(config);
      expect(tried.length).toBeGreaterThan(0);
      // One spend event per request that got a deployment (a disabled model is refused before any is chosen).
      expect(events.length).toBe(
        tried.filter((t) => t.outcome !== 'disabled' && t.outcome !== 'unsupported-call').length,
      );
      for (const t of tried.filter((x) => x.outcome === 'disabled')) {
        // The 400 names the reason.
        expect(t.message, t.name).toMatch(/is not available: its deployments? (is|are) disabled .*\(.+\)/);
      }
    });
  }

  it('routes and disables what each kind of config needs (spot checks)', async () => {
    const load = (f: string) => {
      const text = readFileSync(join(DIR, f), 'utf8');
      return parseConfig(text, { env: envFor(text), sourcePath: join(DIR, f) });
    };
    const outcomes = async (f: string) =>
      Object.fromEntries((await routeEveryName(load(f))).tried.map((t) => [t.name, t.outcome]));

    // Ollama without an api_base uses Ollama's default; every name is served.
    expect(Object.values(await outcomes('24-litellm-aliases-ollama.yaml'))).toEqual(['sent', 'sent', 'sent']);
    // YAML 1.1: tpm 20_000 is an integer (PyYAML), and both Azure deployments route.
    const azure = load('20-litellm-azure-yaml11.yaml');
    expect(azure.deployments.map((d) => d.tpm)).toEqual([20000, 100000]);
    expect(Object.values(await outcomes('20-litellm-azure-yaml11.yaml'))).toEqual(['sent', 'sent']);
    // Bedrock is served natively: every name is signed (SigV4 from the AWS_* variables) and sent.
    const bedrock = await routeEveryName(load('05-chenxqdu-bedrock-aws.yaml'));
    expect(bedrock.tried.map((t) => t.outcome)).toEqual(['sent', 'sent']);
    // A malformed entry is disabled; the gateway still loads.
    const broken = load('14-cyspiegel-malformed-entry.yaml');
    expect(broken.deployments).toEqual([]);
    expect(broken.disabledDeployments?.[0].why.join(' ')).toContain('model is missing');
    // Wildcards: "*" and provider/* route the requested name.
    expect(await outcomes('23-litellm-wildcards-misc.yaml')).toMatchObject({
      'anthropic/claude-3-5-sonnet-20240620': 'sent',
      'groq/llama3-8b-8192': 'sent',
      'gpt-4o': 'sent',
    });
    // Fallbacks across providers, read from router_settings: every group routes.
    const ciris = load('10-ciris-fallbacks-together-groq.yaml');
    expect(ciris.routerSettings.policy?.fallbacks.default).toEqual([
      'groq/llama-4-maverick',
      'together/llama-4-maverick',
    ]);
    // A key set twice keeps the last value (PyYAML), with a warning.
    const dup = load('09-adarshyadav-duplicate-section.yaml');
    expect(dup.warnings.some((w) => w.path === 'litellm_settings' && /set twice/.test(w.message))).toBe(true);
    // `null` means unset: database_url: null and allowed_ips: null are simply not set.
    expect(ciris.generalSettings.databaseUrl).toBeUndefined();
    expect(ciris.generalSettings.allowedIps).toBeUndefined();
  });

  it('no request of the corpus was sent anywhere but a provider host or the configured api_base', () => {
    expect(sent.length).toBeGreaterThan(50);
    for (const r of sent) expect(r.url, r.url).toMatch(/^https?:\/\//);
  });
});
