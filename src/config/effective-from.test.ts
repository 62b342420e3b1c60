/** model_info.effective_from (issue 14): when a deployment's custom prices start to apply. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { at, parseErrors, yaml } from './test-helpers.js';

const entry = (value: string) =>
  yaml(
    'model_list:',
    '  - model_name: m',
    '    litellm_params:',
    '      model: openai/gpt-4o',
    '    model_info:',
    '      input_cost_per_token: 0.000002',
    `      effective_from: ${value}`,
  );

describe('model_info.effective_from', () => {
  it('a date or date-time becomes an ISO instant (UTC)', () => {
    expect(parseConfig(entry('2025-06-01'), { env: {} }).deployments[0].pricesEffectiveFrom).toBe(
      '2025-06-01T00:00:00.000Z',
    );
    expect(
      parseConfig(entry('"2025-06-01T12:30:00+02:00"'), { env: {} }).deployments[0].pricesEffectiveFrom,
    ).toBe('2025-06-01T10:30:00.000Z');
    expect(parseConfig(entry('2025-06-01'), { env: {} }).warnings).toEqual([]);
  });

  it('anything else is an error with its line', () => {
    const d = at(parseErrors(entry('next tuesday')), 'model_list[0].model_info.effective_from');
    expect(d.message).toMatch(/must be a date/);
    expect(d.line).toBe(7);
  });
});
