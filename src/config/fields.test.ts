import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parseConfig } from './load.js';
import { at, parseErrors, yaml } from './test-helpers.js';

const ok = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, { env, sourcePath: 'config.yaml' });

describe('parseConfig: pricing', () => {
  it('keeps prices as the exact decimal text written in the YAML', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: p',
        '    litellm_params:',
        '      model: openai/p',
        '      input_cost_per_token: 0.5',
        '      output_cost_per_second: 0.000420',
        '    model_info:',
        '      input_cost_per_token: 0.000420',
        '      output_cost_per_token: 4.2e-4',
        '      cache_read_input_token_cost: "0.0001"',
        '      cache_creation_input_token_cost: 0.00000375',
        '      input_cost_per_image: 0',
        '      output_cost_per_reasoning_token: 0.100000000000000005551115',
      ),
    );
    expect(cfg.deployments[0].customPricing).toEqual({
      input_cost_per_token: '0.000420', // model_info wins over litellm_params
      output_cost_per_second: '0.000420',
      output_cost_per_token: '4.2e-4',
      cache_read_input_token_cost: '0.0001',
      cache_creation_input_token_cost: '0.00000375',
      input_cost_per_image: '0',
      output_cost_per_reasoning_token: '0.100000000000000005551115',
    });
  });

  it('reads search_context_cost_per_query as dotted keys', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: s',
        '    litellm_params: { model: openai/s }',
        '    model_info:',
        '      search_context_cost_per_query:',
        '        search_context_size_low: 0.025',
        '        search_context_size_high: 0.05',
      ),
    );
    expect(cfg.deployments[0].customPricing).toEqual({
      'search_context_cost_per_query.search_context_size_low': '0.025',
      'search_context_cost_per_query.search_context_size_high': '0.05',
    });
  });

  it('reports every bad price with its path, line and what was found', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: p',
        '    litellm_params:',
        '      model: openai/p',
        '      output_cost_per_token: -0.5',
        '    model_info:',
        '      input_cost_per_token: "abc"',
        '      cache_read_input_token_cost: .inf',
        '      cache_creation_input_token_cost: .nan',
        '      input_cost_per_second: true',
        '      output_cost_per_second:',
        '      input_cost_per_image: [1]',
        '      output_cost_per_image: 0x10',
        '      input_cost_per_pixel: 1e-30',
        '      search_context_cost_per_query: 0.1',
      ),
    );
    const msg = (p: string) => at(diags, `model_list[0].${p}`);
    expect(msg('litellm_params.output_cost_per_token')).toMatchObject({
      line: 5,
      message: 'must be a non-negative number (got -0.5)',
    });
    expect(msg('model_info.input_cost_per_token')).toMatchObject({
      line: 7,
      message: 'must be a non-negative number (got "abc")',
    });
    expect(msg('model_info.cache_read_input_token_cost')).toMatchObject({
      line: 8,
      message: expect.stringContaining('(got .inf)'),
    });
    expect(msg('model_info.cache_creation_input_token_cost')).toMatchObject({
      line: 9,
      message: expect.stringContaining('(got .nan)'),
    });
    expect(msg('model_info.input_cost_per_second')).toMatchObject({
      line: 10,
      message: expect.stringContaining('(got true)'),
    });
    // `output_cost_per_second:` with no value is null, which LiteLLM (PyYAML) reads as "not set": no error.
    expect(diags.filter((d) => d.path.endsWith('output_cost_per_second'))).toEqual([]);
    expect(msg('model_info.input_cost_per_image')).toMatchObject({
      line: 12,
      message: expect.stringContaining('(got a list)'),
    });
    expect(msg('model_info.output_cost_per_image')).toMatchObject({
      line: 13,
      message: expect.stringContaining('(got 0x10)'),
    });
    expect(msg('model_info.input_cost_per_pixel')).toMatchObject({
      line: 14,
      message: expect.stringContaining('decimal places'),
    });
    expect(msg('model_info.search_context_cost_per_query')).toMatchObject({
      line: 15,
      message: expect.stringContaining('mapping'),
    });
    expect(diags.filter((d) => d.severity === 'error')).toHaveLength(9);
  });

  it('formats a price diagnostic as file:line path: message', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: p',
        '    litellm_params: { model: openai/p }',
        '    model_info:',
        '      input_cost_per_token: "abc"',
      ),
    );
    expect(formatDiagnostics(diags)).toBe(
      'config.yaml:5 model_list[0].model_info.input_cost_per_token: must be a non-negative number (got "abc")',
    );
  });

  it('warns about a misspelled cost key with the nearest valid key', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: p',
        '    litellm_params:',
        '      model: openai/p',
        '      output_cost_per_tokn: 0.1',
        '    model_info:',
        '      input_cost_per_tokens: 0.000002',
      ),
    );
    const w = at(cfg.warnings, 'model_list[0].model_info.input_cost_per_tokens', 'warning');
    expect(w.line).toBe(7);
    expect(w.message).toContain('did you mean `input_cost_per_token`?');
    expect(
      at(cfg.warnings, 'model_list[0].litellm_params.output_cost_per_tokn', 'warning').message,
    ).toContain('did you mean `output_cost_per_token`?');
    expect(cfg.deployments[0].customPricing).toEqual({});
    // free-form model_info keys stay, silently
    expect(cfg.deployments[0].modelInfo).toEqual({ input_cost_per_tokens: 0.000002 });
  });
});
