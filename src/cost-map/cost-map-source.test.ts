import { describe, expect, it } from 'vitest';
import { displayLocation, LITELLM_COST_MAP_URL, resolveCostMapSource } from './cost-map-source.js';

describe('resolveCostMapSource', () => {
  it('defaults to the URL LiteLLM fetches (litellm.model_cost_map_url)', () => {
    expect(LITELLM_COST_MAP_URL).toBe(
      'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
    );
    expect(resolveCostMapSource(undefined, {})).toEqual({
      kind: 'url',
      location: LITELLM_COST_MAP_URL,
      setBy: 'default',
      isDefault: true,
    });
  });

  it('LITELLM_LOCAL_MODEL_COST_MAP=True means built-in only, over everything else', () => {
    for (const v of ['True', 'true', '1']) {
      expect(resolveCostMapSource('prices.json', { LITELLM_LOCAL_MODEL_COST_MAP: v })).toEqual({
        kind: 'builtin',
        reason: 'LITELLM_LOCAL_MODEL_COST_MAP=True',
      });
    }
    expect(resolveCostMapSource(undefined, { LITELLM_LOCAL_MODEL_COST_MAP: 'False' }).kind).toBe('url');
  });

  it('`builtin` as the setting or TOLLGATE_COST_MAP turns fetching off', () => {
    expect(resolveCostMapSource('builtin', {})).toEqual({
      kind: 'builtin',
      reason: 'general_settings.cost_map: builtin',
    });
    expect(resolveCostMapSource(undefined, { TOLLGATE_COST_MAP: 'BUILTIN' })).toEqual({
      kind: 'builtin',
      reason: 'TOLLGATE_COST_MAP: builtin',
    });
  });

  it('general_settings.cost_map > TOLLGATE_COST_MAP > LITELLM_MODEL_COST_MAP_URL > default', () => {
    const env = {
      TOLLGATE_COST_MAP: 'b.json',
      LITELLM_MODEL_COST_MAP_URL: 'https://mirror.example/map.json',
    };
    expect(resolveCostMapSource('a.json', env)).toEqual({
      kind: 'file',
      location: 'a.json',
      setBy: 'general_settings.cost_map',
    });
    expect(resolveCostMapSource(undefined, env)).toEqual({
      kind: 'file',
      location: 'b.json',
      setBy: 'TOLLGATE_COST_MAP',
    });
    expect(
      resolveCostMapSource(' ', { LITELLM_MODEL_COST_MAP_URL: 'https://mirror.example/map.json' }),
    ).toEqual({
      kind: 'url',
      location: 'https://mirror.example/map.json',
      setBy: 'LITELLM_MODEL_COST_MAP_URL',
      isDefault: false,
    });
  });
});

describe('displayLocation', () => {
  it('drops credentials and query strings from URLs, keeps paths as they are', () => {
    expect(displayLocation('https://u:secret@h.example/m.json?X-Amz-Signature=abc')).toBe(
      'https://h.example/m.json[…]',
    );
    expect(displayLocation(LITELLM_COST_MAP_URL)).toBe(LITELLM_COST_MAP_URL);
    expect(displayLocation('./prices.json')).toBe('./prices.json');
  });
});
