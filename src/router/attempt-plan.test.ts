import { describe, expect, it } from 'vitest';
import { defaultRouterPolicy } from '../config/router-settings.js';
import type { RouterPolicyConfig } from '../config/types.js';
import { GatewayError } from '../errors.js';
import { Router } from './attempt-plan.js';
import { Cooldowns } from './cooldowns.js';
import { MemoryRoutingStats } from './routing-stats.js';

interface Dep {
  id: string;
  modelName: string;
}
const dep = (modelName: string, id: string): Dep => ({ id, modelName });

const groups: Record<string, Dep[]> = {
  gpt4: [dep('gpt4', 'g4-a'), dep('gpt4', 'g4-b')],
  small: [dep('small', 'sm')],
  big: [dep('big', 'bg')],
  claude: [dep('claude', 'cl')],
};

const err500 = () => new GatewayError('TG_ERR_UPSTREAM', 'upstream 500', { status: 500 });
const err400 = () => new GatewayError('TG_ERR_UPSTREAM', 'bad request', { status: 400 });
const ctxErr = () => new GatewayError('TG_ERR_CONTEXT_WINDOW_EXCEEDED', 'maximum context length exceeded');
const policyErr = () => new GatewayError('TG_ERR_CONTENT_BLOCKED', 'content policy');

function router(over: Partial<RouterPolicyConfig> = {}, numRetries = 1) {
  const policy = { ...defaultRouterPolicy(), ...over };
  const now = 1_000_000;
  return new Router<Dep>({
    policy,
    stats: new MemoryRoutingStats(),
    cooldowns: new Cooldowns({
      allowedFails: policy.allowedFails,
      allowedFailsPolicy: policy.allowedFailsPolicy,
      cooldownMs: policy.cooldownSeconds * 1000,
      disabled: policy.disableCooldowns,
      now: () => now,
    }),
    numRetries,
    random: () => 0,
    now: () => now,
  });
}

const plan = (r: Router<Dep>, group: string) =>
  r.plan({
    group,
    members: groups[group],
    lookup: (n) => groups[n],
    estimatedTokens: 0,
    timeoutMs: 60_000,
  });

describe('attempt plan: retries, then fallbacks', () => {
  it('retries a retryable error on the other deployment of the group, then falls back in order', () => {
    const p = plan(router({ fallbacks: { gpt4: ['small', 'big'] } }), 'gpt4');
    const first = p.first();
    expect(first).toMatchObject({ group: 'gpt4', delayMs: 0, fallback: false });
    const retry = p.failed(first.deployment, err500(), false);
    expect(retry?.group).toBe('gpt4');
    expect(retry?.deployment).not.toBe(first.deployment); // prefers the untried one
    expect(retry?.delayMs).toBeGreaterThan(0);
    const fb1 = p.failed(retry!.deployment, err500(), false);
    expect(fb1).toMatchObject({ group: 'small', fallback: true, delayMs: 0 });
    // The fallback group gets its own retry: 1 retry on its only deployment.
    const again = p.failed(fb1!.deployment, err500(), false);
    expect(again).toMatchObject({ group: 'small', fallback: true });
    const fb2 = p.failed(again!.deployment, err500(), false);
    expect(fb2).toMatchObject({ group: 'big' });
    p.succeeded(fb2!.deployment, 100, 5, 20);
    const s = p.summary(fb2!.deployment);
    expect(s.fallback_path).toEqual(['gpt4', 'small', 'big']);
    expect(s.attempts.map((a) => [a.deployment_id, a.model_group, a.error ?? 'ok'])).toEqual([
      [first.deployment.id, 'gpt4', 'TG_ERR_UPSTREAM'],
      [retry!.deployment.id, 'gpt4', 'TG_ERR_UPSTREAM'],
      ['sm', 'small', 'TG_ERR_UPSTREAM'],
      ['sm', 'small', 'TG_ERR_UPSTREAM'],
      ['bg', 'big', 'ok'],
    ]);
  });

  it('a plain bad request is neither retried nor falls back', () => {
    const p = plan(router({ fallbacks: { gpt4: ['small'] } }), 'gpt4');
    const first = p.first();
    expect(p.failed(first.deployment, err400(), false)).toBeNull();
    expect(p.summary(null).fallback_path).toBeUndefined();
  });

  it('context window and content policy errors use their own fallback lists, else the general one', () => {
    const r = router({
      fallbacks: { gpt4: ['small'] },
      contextWindowFallbacks: { gpt4: ['big'] },
      contentPolicyFallbacks: { gpt4: ['claude'] },
    });
    const a = plan(r, 'gpt4');
    expect(a.failed(a.first().deployment, ctxErr(), false)?.group).toBe('big');
    const b = plan(r, 'gpt4');
    expect(b.failed(b.first().deployment, policyErr(), false)?.group).toBe('claude');
    const c = plan(router({ fallbacks: { gpt4: ['small'] } }), 'gpt4');
    expect(c.failed(c.first().deployment, ctxErr(), false)?.group).toBe('small');
  });

  it('"*" and default_fallbacks apply to groups without their own; max_fallbacks bounds them', () => {
    const star = plan(router({ fallbacks: { '*': ['claude'] } }, 0), 'small');
    expect(star.failed(star.first().deployment, err500(), false)?.group).toBe('claude');
    const def = plan(router({ defaultFallbacks: ['big'] }, 0), 'small');
    expect(def.failed(def.first().deployment, err500(), false)?.group).toBe('big');
    const bounded = plan(router({ fallbacks: { small: ['big', 'claude'] }, maxFallbacks: 1 }, 0), 'small');
    const s1 = bounded.failed(bounded.first().deployment, err500(), false);
    expect(s1?.group).toBe('big');
    expect(bounded.failed(s1!.deployment, err500(), false)).toBeNull();
  });

  it('retry_policy sets retries per error class (also for errors that are not retryable by default)', () => {
    const p = plan(router({ retryPolicy: { BadRequestError: 1, InternalServerError: 0 } }, 5), 'gpt4');
    const first = p.first();
    const again = p.failed(first.deployment, err400(), false);
    expect(again?.group).toBe('gpt4');
    expect(p.failed(again!.deployment, err500(), false)).toBeNull();
  });

  it('never retries once the stream started', () => {
    const p = plan(router({ fallbacks: { gpt4: ['small'] } }), 'gpt4');
    expect(p.failed(p.first().deployment, err500(), true)).toBeNull();
  });

  it('skips deployments that are cooling down; all cooling → fallback, else a 429 with retry-after', () => {
    const r = router({ allowedFails: 0, cooldownSeconds: 30, fallbacks: { gpt4: ['small'] } }, 0);
    const p = plan(r, 'gpt4');
    const a = p.first();
    // allowed_fails 0: the first blamed failure cools the deployment down (the group has two).
    p.failed(a.deployment, err500(), false);
    const q = plan(r, 'gpt4');
    const b = q.first();
    expect(b.deployment.id).not.toBe(a.deployment.id);
    q.failed(b.deployment, err500(), false);
    // Both cooling now: a new request goes straight to the fallback.
    expect(plan(r, 'gpt4').first().group).toBe('small');
    const noFallback = router({ allowedFails: 0, cooldownSeconds: 30 }, 0);
    const x = plan(noFallback, 'gpt4');
    x.failed(x.first().deployment, err500(), false);
    const y = plan(noFallback, 'gpt4');
    y.failed(y.first().deployment, err500(), false);
    let thrown: unknown;
    try {
      plan(noFallback, 'gpt4').first();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).code).toBe('TG_ERR_NO_DEPLOYMENT_AVAILABLE');
    expect((thrown as GatewayError).headers?.['retry-after']).toBe('30');
  });

  it('an unknown fallback name is skipped (and reported once per plan call)', () => {
    const seen: string[] = [];
    const r = new Router<Dep>({
      ...router({ fallbacks: { small: ['nope', 'big'] } }, 0).options,
      onUnknownFallback: (from, name) => seen.push(`${from}->${name}`),
    });
    const p = plan(r, 'small');
    expect(p.failed(p.first().deployment, err500(), false)?.group).toBe('big');
    expect(seen).toEqual(['small->nope']);
  });
});
