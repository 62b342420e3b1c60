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

  it('a bad config is reported at once, with YAML paths and lines, and nothing starts', async () => {
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
    const r = await tollgate(['--config', bad, '--port', '0']);
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

  it('an unknown base_model stops startup with suggestions', async () => {
    const cfg = join(work, 'base.yaml');
    writeFileSync(
      cfg,
      'model_list:\n  - model_name: a\n    litellm_params: { model: azure/x, api_base: "http://127.0.0.1:9", api_key: k }\n    model_info: { base_model: azure/gpt-4-1106-previw }\n',
    );
    const r = await tollgate([cfg, '--port', '0', '--data-dir', join(work, 'd1')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gpt-4-1106-previw');
    expect(r.stderr).toContain('azure/gpt-4-1106-preview');
  });

  it('require_pricing makes an unpriced deployment a startup error', async () => {
    const cfg = join(work, 'req.yaml');
    writeFileSync(
      cfg,
      'model_list:\n  - model_name: mystery\n    litellm_params: { model: openai/my-finetune-xyz, api_key: k }\ngeneral_settings: { require_pricing: true }\n',
    );
    const r = await tollgate([cfg, '--port', '0', '--data-dir', join(work, 'd2')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mystery.*require_pricing/);
  });

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

  it('cost prices a usage from the catalog', async () => {
    const r = await tollgate(['cost', '--model', 'gpt-4o', '--input', '1000', '--output', '500']);
    expect(r.code).toBe(0);
    // gpt-4o: 2.5e-6 × 1000 + 1e-5 × 500 = 0.0075
    expect(r.stdout).toContain('0.0075');
  });
});
