/**
 * The `tollgate` command as a user runs it: help/version, the offline demo config, a bad config
 * reported at once with paths and lines, and positional config paths (LiteLLM's form).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli/run.ts')];
const work = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function tollgate(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function startServe(args: string[]): Promise<{ child: ChildProcess; output: () => string; url: string }> {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, TOLLGATE_LOG: 'WARN' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    // Generous: on a loaded 2-core CI machine the embedded database alone can take 20 s to start.
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, output: () => out, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

describe('tollgate CLI', () => {
  it('--version and --help', async () => {
    const v = await tollgate(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = await tollgate(['--help']);
    for (const word of ['serve', 'pricing', 'cost', 'spend', 'db', 'mock-upstream'])
      expect(h.stdout).toContain(word);
    const sh = await tollgate(['serve', '--help']);
    for (const flag of ['--config', '--port', '--host', '--detailed_debug'])
      expect(sh.stdout).toContain(flag);
  });

  it('an unusable TOLLGATE_HEAP_GROWING_PERCENT is reported and the command still runs', async () => {
    const v = await tollgate(['--version'], { TOLLGATE_HEAP_GROWING_PERCENT: 'fast' });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.stderr).toContain('TOLLGATE_HEAP_GROWING_PERCENT must be a whole number');
  });

  it('--strict: a bad config is reported at once, with YAML paths and lines, and nothing starts', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'model_list:',
        '  - model_name: azure-model',
        '    litellm_params:',
        '      model: azure/dep',
        '      api_key: os.environ/TG_TEST_MISSING_KEY',
        '      api_version: os.envrion/AZURE_API_VERSION',
        '    model_info:',
        '      input_cost_per_tokens: 0.1',
        '      output_cost_per_token: -1',
        '',
      ].join('\n'),
    );
    const r = await tollgate(['--config', bad, '--port', '0', '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:5');
    expect(r.stderr).toContain('TG_TEST_MISSING_KEY');
    expect(r.stderr).toContain('bad.yaml:6');
    expect(r.stderr).toMatch(/did you mean os\.environ\//);
    expect(r.stderr).toContain('bad.yaml:8');
    expect(r.stderr).toMatch(/did you mean `?input_cost_per_token`?/);
    expect(r.stderr).toContain('bad.yaml:9');
    expect(r.stdout).not.toContain('listening');
  });

  it('--strict: require_pricing makes an unpriced deployment a startup error', async () => {
    const cfg = join(work, 'req.yaml');
    writeFileSync(
      cfg,
      'model_list:\n  - model_name: mystery\n    litellm_params: { model: openai/my-finetune-xyz, api_key: k }\ngeneral_settings: { require_pricing: true }\n',
    );
    const r = await tollgate([cfg, '--port', '0', '--data-dir', join(work, 'd2'), '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mystery.*require_pricing/);
  });

  it('an unreachable database: one line naming the URL (password masked), exit 2, no stack', async () => {
    const cfg = join(work, 'db.yaml');
    writeFileSync(
      cfg,
      'model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, mock_response: hi }\n',
    );
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    const url = 'postgres://tollgate:hunter2-secret@127.0.0.1:9/tollgate';
    const r = await tollgate([cfg, '--port', '0', '--data-dir', join(work, 'd3'), '--database-url', url]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Tollgate cannot start: the database is unreachable');
    expect(lines[0]).toContain('--database-url = postgres://tollgate:****@127.0.0.1:9/tollgate');
    expect(lines[0]).toMatch(/ECONNREFUSED/);
    expect(lines[0]).toContain('allow_requests_on_db_unavailable');
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).not.toContain('listening');
  });

  it('a bad deployment does not keep the gateway down: warned with file:line, its model answers 400 with the reason', async () => {
    const cfg = join(work, 'mixed.yaml');
    writeFileSync(
      cfg,
      [
        'model_list:',
        '  - model_name: good',
        '    litellm_params: { model: openai/gpt-4o, mock_response: hi }',
        '  - model_name: needs-env',
        '    litellm_params: { model: openai/gpt-4o, api_key: os.environ/TG_TEST_NOT_SET_ANYWHERE }',
        '  - model_name: vertex',
        '    litellm_params: { model: watsonx/granite-13b, watsonx_project: p }',
        '  - model_name: newer-base',
        '    litellm_params: { model: azure/x, api_base: "http://127.0.0.1:9", api_key: k, mock_response: hi }',
        '    model_info: { base_model: azure/gpt-9-from-the-future }',
        'general_settings: { master_key: sk-1234 }',
        '',
      ].join('\n'),
    );
    const s = await startServe([
      cfg,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'mixed'),
    ]);
    try {
      const out = s.output();
      expect(out).toMatch(
        /mixed\.yaml:4 model_list\[1\]: warning: deployment \(needs-env\) disabled: .*TG_TEST_NOT_SET_ANYWHERE is not set/,
      );
      expect(out).toMatch(/model_list\[2\] \(vertex\) at [^\n]*mixed\.yaml:6: deployment disabled: provider/);
      expect(out).toMatch(
        / {2}model_list\[2\] \(vertex\) at [^\n]*: provider "watsonx" \(model "watsonx\/granite-13b"\)/,
      );
      // (logged as JSON: the quotes are escaped)
      expect(out).toMatch(/azure\/gpt-9-from-the-future\\?" is not in the price catalog in use/);
      expect(out).toMatch(/DISABLED \(2, their models answer 400/);
      const call = (model: string) =>
        fetch(`${s.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        });
      expect((await call('good')).status).toBe(200);
      expect((await call('newer-base')).status).toBe(200);
      const bad = await call('needs-env');
      expect(bad.status).toBe(400);
      const body = (await bad.json()) as { error: { code: string; tollgate_code: string; message: string } };
      expect(body.error.tollgate_code).toBe('TG_ERR_DEPLOYMENT_DISABLED');
      expect(body.error.message).toContain('environment variable TG_TEST_NOT_SET_ANYWHERE is not set');
      const v = (await (await call('vertex')).json()) as { error: { message: string } };
      expect(v.error.message).toMatch(/provider "watsonx" .* is not supported by Tollgate/);
      const ready = (await (await fetch(`${s.url}/health/readiness`)).json()) as Record<string, unknown>;
      expect(ready.disabled_deployments).toBe(2);
    } finally {
      s.child.kill('SIGTERM');
    }
  }, 90_000);

  it('serves the offline demo (positional config), warns when there is no master key', async () => {
    const s = await startServe([
      join(ROOT, 'examples/config.yaml'),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'demo'),
    ]);
    try {
      expect(s.output()).toContain('demo');
      // The test env turns the public map off (vitest.config.ts), so no test reaches the internet.
      expect(s.output()).toContain(
        'prices: builtin:litellm@caddc6dd (built-in, 1803 models, snapshot 2025-11-21); updates off (TOLLGATE_COST_MAP: builtin)',
      );
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'demo',
          messages: [{ role: 'user', content: 'hi' }],
          user: 'palantir',
          metadata: { tags: ['jobID:1'] },
        }),
      });
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('x-litellm-response-cost'))).toBeGreaterThan(0);
    } finally {
      s.child.kill('SIGTERM');
    }
    const open = join(work, 'open.yaml');
    writeFileSync(
      open,
      'model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, mock_response: hi }\n',
    );
    const o = await startServe([
      '--config',
      open,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'open'),
    ]);
    try {
      expect(o.output()).toMatch(/WARNING: no general_settings\.master_key/);
    } finally {
      o.child.kill('SIGTERM');
    }
  }, 150_000); // two gateways start one after the other

  it('pricing explain shows what the server would disable and exits non-zero on it', async () => {
    const cfg = join(work, 'explain.yaml');
    writeFileSync(
      cfg,
      'model_list:\n  - model_name: ok\n    litellm_params: { model: openai/gpt-4o, api_key: k }\n  - model_name: v\n    litellm_params: { model: watsonx/granite-13b }\n',
    );
    const bad = await tollgate(['pricing', 'explain', '-c', cfg, '--data-dir', join(work, 'ex')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/v {2}\(watsonx\/granite-13b\)[^\n]*\n {2}serves: nothing — DISABLED/);
    expect(bad.stdout).toContain('1 problem: fix config.yaml');
    const good = await tollgate(['pricing', 'explain', '-c', cfg, 'ok', '--data-dir', join(work, 'ex')]);
    expect(good.code).toBe(0);
  });

  it('cost prices a usage from the catalog', async () => {
    const r = await tollgate(['cost', '--model', 'gpt-4o', '--input', '1000', '--output', '500']);
    expect(r.code).toBe(0);
    // gpt-4o: 2.5e-6 × 1000 + 1e-5 × 500 = 0.0075
    expect(r.stdout).toContain('0.0075');
  });
});
