import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearest } from './suggest.js';

describe('suggest', () => {
  it('counts adjacent transpositions as one edit', () => {
    expect(editDistance('envrion', 'environ')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds the nearest key within a typo distance', () => {
    expect(nearest('input_cost_per_tokens', ['input_cost_per_token', 'output_cost_per_token'])).toBe(
      'input_cost_per_token',
    );
    expect(nearest('litelm_params', ['model_name', 'litellm_params', 'model_info'])).toBe('litellm_params');
    expect(nearest('completely_different', ['model_name', 'litellm_params'])).toBeUndefined();
    expect(didYouMean('mster_key', ['master_key'])).toBe(' (did you mean `master_key`?)');
    expect(didYouMean('zzz', ['master_key'])).toBe('');
  });
});
