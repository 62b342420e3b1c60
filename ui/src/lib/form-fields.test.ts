/**
 * Management form values → API bodies: money as exact text, whole numbers checked, JSON parsed,
 * and in edit mode only the changed fields (re-sending budget_duration would restart a period).
 */
import { describe, expect, it } from 'vitest';
import { parseExactJson } from './exact-json';
import { BUDGET_FIELDS, buildBody, type FieldDef, initialState, LIMIT_FIELDS } from './form-fields';

const DEFS: FieldDef[] = [
  { name: 'key_alias', label: 'Alias', kind: 'text' },
  { name: 'models', label: 'Models', kind: 'models' },
  { name: 'tags', label: 'Tags', kind: 'list' },
  { name: 'metadata', label: 'Metadata', kind: 'json' },
  { name: 'duration', label: 'Expires', kind: 'duration', createOnly: true },
  ...BUDGET_FIELDS,
  ...LIMIT_FIELDS,
];

describe('buildBody', () => {
  it('creates with exact money text, numbers and parsed JSON', () => {
    const state = {
      ...initialState(DEFS, null),
      key_alias: ' app ',
      models: ['cheap-chat'],
      tags: 'a, b,,c',
      metadata: '{"env":"prod"}',
      duration: '30d',
      max_budget: '0.000000000000000000000001',
      budget_duration: '1mo',
      rpm_limit: '60',
    };
    const { body, errors } = buildBody(DEFS, state, null);
    expect(errors).toEqual({});
    expect(body).toEqual({
      key_alias: 'app',
      models: ['cheap-chat'],
      tags: ['a', 'b', 'c'],
      metadata: { env: 'prod' },
      duration: '30d',
      max_budget: '0.000000000000000000000001',
      budget_duration: '1mo',
      rpm_limit: 60,
    });
  });

  it('names every invalid field', () => {
    const state = {
      ...initialState(DEFS, null),
      max_budget: '-3',
      rpm_limit: '1.5',
      metadata: '[1]',
      budget_duration: 'monthly',
    };
    const { errors } = buildBody(DEFS, state, null);
    expect(Object.keys(errors).sort()).toEqual(['budget_duration', 'max_budget', 'metadata', 'rpm_limit']);
  });

  it('edits only what changed, from an entity the API returned', () => {
    const entity = parseExactJson(
      '{"key_alias":"app","models":[],"tags":["x"],"metadata":{},"max_budget":10,"soft_budget":null,"budget_duration":"30d","tpm_limit":null,"rpm_limit":5,"max_parallel_requests":null}',
    ) as Record<string, never>;
    const original = initialState(DEFS, entity);
    expect(original.max_budget).toBe('10');
    const { body, errors } = buildBody(DEFS, { ...original, max_budget: '25.5' }, original);
    expect(errors).toEqual({});
    expect(body).toEqual({ max_budget: '25.5' }); // budget_duration not re-sent: the period keeps running
    const cleared = buildBody(DEFS, { ...original, rpm_limit: '' }, original);
    expect(cleared.errors.rpm_limit).toMatch(/cannot be removed/);
  });
});
