import { describe, expect, it } from 'vitest';
import { buildModelGroups } from './model-groups.js';
import { backoffMs, isRetryableStatus } from './retry-policy.js';

const d = (modelName: string, id: string) => ({ modelName, id });

describe('model groups', () => {
  it('groups entries by model_name, keeping order', () => {
    const a = d('gpt', 'a');
    const b = d('gpt', 'b');
    const c = d('claude', 'c');
    const groups = buildModelGroups([a, b, c]);
    expect([...groups.keys()]).toEqual(['gpt', 'claude']);
    expect(groups.get('gpt')?.members).toEqual([a, b]);
  });
});

describe('retry policy', () => {
  it('retries 429/5xx/408/409 only', () => {
    expect([429, 500, 502, 503, 408, 409].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
  it('bounds backoff, honouring retry-after up to 5 s', () => {
    expect(backoffMs(1)).toBe(50);
    expect(backoffMs(10)).toBe(1_000);
    expect(backoffMs(1, '2')).toBe(2_000);
    expect(backoffMs(1, '60')).toBe(5_000);
  });
});
