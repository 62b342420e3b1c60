/**
 * docs/COMPATIBILITY.md stays true: every config key the loader knows is listed with the status the loader
 * gives it (acted on → supported/partly, accepted but ignored → not acted on), and every route the gateway
 * registers is listed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GENERAL_SETTINGS_IGNORED,
  GENERAL_SETTINGS_TYPED,
  LITELLM_PARAMS_NOT_ACTED_ON,
  LITELLM_PARAMS_OPTIONS,
  LITELLM_PARAMS_TYPED,
  LITELLM_SETTINGS_ACTED_ON,
  ROUTER_SETTINGS_IGNORED,
  ROUTER_SETTINGS_TYPED,
  TOP_LEVEL_IGNORED,
  TOP_LEVEL_KEYS,
} from '../src/config/known-keys.js';
import { LITELLM_ROUTER_KEYS, ROUTER_POLICY_KEYS } from '../src/config/router-settings.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'COMPATIBILITY.md'), 'utf8');

/** The rows of the table under `## heading` (or `### heading`): key → status. */
function section(heading: string): Map<string, string> {
  const start = doc.search(new RegExp(`^#{2,3} ${heading}$`, 'm'));
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + heading.length + 3);
  const end = rest.search(/^#{2,3} /m);
  const body = end < 0 ? rest : rest.slice(0, end);
  const rows = new Map<string, string>();
  for (const m of body.matchAll(/^\| `([^`]+)` \| (supported|partly|not acted on|rejected) \|/gm))
    rows.set(m[1], m[2]);
  return rows;
}

function expectListed(rows: Map<string, string>, keys: readonly string[], statuses: string[], where: string) {
  for (const k of keys) {
    expect(rows.has(k), `${where}: \`${k}\` is missing from docs/COMPATIBILITY.md`).toBe(true);
    expect(statuses, `${where}: \`${k}\` is "${rows.get(k)}"`).toContain(rows.get(k));
  }
}

const ACTED = ['supported', 'partly'];

describe('docs/COMPATIBILITY.md', () => {
  it('lists every config key with the status the loader gives it', () => {
    const top = section('Top-level sections');
    expectListed(top, TOP_LEVEL_KEYS, ACTED, 'top level');
    expectListed(top, TOP_LEVEL_IGNORED, ['not acted on'], 'top level');
    const general = section('general_settings');
    expectListed(general, GENERAL_SETTINGS_TYPED, ACTED, 'general_settings');
    expectListed(general, GENERAL_SETTINGS_IGNORED, ['not acted on'], 'general_settings');
    const router = section('router_settings');
    expectListed(router, [...ROUTER_SETTINGS_TYPED, ...ROUTER_POLICY_KEYS], ACTED, 'router_settings');
    expectListed(router, ROUTER_SETTINGS_IGNORED, ['not acted on'], 'router_settings');
    const litellm = section('litellm_settings');
    expectListed(litellm, [...LITELLM_SETTINGS_ACTED_ON, ...LITELLM_ROUTER_KEYS], ACTED, 'litellm_settings');
    const params = section('litellm_params');
    expectListed(params, LITELLM_PARAMS_TYPED, ACTED, 'litellm_params');
    expectListed(params, LITELLM_PARAMS_NOT_ACTED_ON, ['not acted on'], 'litellm_params');
    expectListed(params, LITELLM_PARAMS_OPTIONS, [...ACTED, 'not acted on'], 'litellm_params');
  });

  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('model_list: []\n');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every route the gateway serves', () => {
    const endpoints = doc.slice(doc.indexOf('## Proxy endpoints'), doc.indexOf('## Environment variables'));
    const missing = t.gw.routes
      .filter((r) => !r.url.startsWith('/ui'))
      .map((r) => ({
        method: r.method,
        url: r.url.replace(':key', '{key}').replace(':deployment', '{model}'),
      }))
      .filter(({ method, url }) => {
        const dir = url.slice(0, url.lastIndexOf('/'));
        // Listed as `/path`, `METHOD /path`, or under its folder as `/folder/*`.
        return ![`\`${url}\``, `\`${method} ${url}\``, `\`${dir}/*\``].some((form) =>
          endpoints.includes(form),
        );
      })
      .map(({ method, url }) => `${method} ${url}`);
    expect(missing).toEqual([]);
  });
});
