import { describe, expect, it } from 'vitest';
import { buildModelGroups, pickDeployment } from './model-groups.js';
import { attemptBudget, backoffMs, isRetryableStatus } from './retry-policy.js';

const d = (modelName: string, extra: { rpm?: number; tpm?: number; id: string }) => ({ modelName, ...extra });

describe('model groups', () => {
  it('groups entries by model_name, keeping order', () => {
    const a = d('gpt', { id: 'a' });
    const b = d('gpt', { id: 'b' });
    const c = d('claude', { id: 'c' });
    const groups = buildModelGroups([a, b, c]);
    expect([...groups.keys()]).toEqual(['gpt', 'claude']);
    expect(groups.get('gpt')!.members).toEqual([a, b]);
  });

  it('weights the choice by rpm when every member sets it', () => {
    const a = d('gpt', { id: 'a', rpm: 900 });
    const b = d('gpt', { id: 'b', rpm: 100 });
    const g = buildModelGroups([a, b]).get('gpt')!;
    let seed = 1;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    let aCount = 0;
    for (let i = 0; i < 10_000; i++) if (pickDeployment(g, null, rand) === a) aCount++;
    expect(aCount).toBeGreaterThan(8_500);
    expect(aCount).toBeLessThan(9_500);
  });

  it('prefers an untried deployment on retry', () => {
    const a = d('gpt', { id: 'a' });
    const b = d('gpt', { id: 'b' });
    const g = buildModelGroups([a, b]).get('gpt')!;
    for (let i = 0; i < 20; i++) expect(pickDeployment(g, new Set([a]))).toBe(b);
    // All tried: any member may be retried.
    expect([a, b]).toContain(pickDeployment(g, new Set([a, b])));
  });
});

describe('retry policy', () => {
  it('retries 429/5xx/408/409 only', () => {
    expect([429, 500, 502, 503, 408, 409].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
  it('bounds attempts and backoff', () => {
    expect(attemptBudget(2, 10, 0)).toEqual({ maxAttempts: 3, deadline: 10_000 });
    expect(backoffMs(1)).toBe(50);
    expect(backoffMs(10)).toBe(1_000);
    expect(backoffMs(1, '2')).toBe(2_000);
  });
});
