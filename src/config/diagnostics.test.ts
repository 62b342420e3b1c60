import { describe, expect, it } from 'vitest';
import { ConfigError, formatDiagnostics, joinPath } from './diagnostics.js';

describe('diagnostics', () => {
  it('formats file:line path: message, warnings marked, sorted by file then line', () => {
    expect(
      formatDiagnostics([
        {
          severity: 'warning',
          path: 'general_settings.mster_key',
          line: 9,
          message: 'unknown key',
          file: 'a.yaml',
        },
        { severity: 'error', path: 'model_list[0].model', line: 3, message: 'bad', file: 'a.yaml' },
        { severity: 'error', path: '', message: 'no config given' },
        { severity: 'error', path: 'x', line: 2, message: 'no file' },
      ]),
    ).toBe(
      [
        'config.yaml:2 x: no file',
        'no config given',
        'a.yaml:3 model_list[0].model: bad',
        'a.yaml:9 general_settings.mster_key: warning: unknown key',
      ].join('\n'),
    );
  });

  it('ConfigError message lists only errors; diagnostics keeps warnings too', () => {
    const e = new ConfigError([
      { severity: 'warning', path: 'a', line: 1, message: 'w' },
      { severity: 'error', path: 'b', line: 2, message: 'e' },
    ]);
    expect(e.message).toBe('config.yaml:2 b: e');
    expect(e.diagnostics).toHaveLength(2);
    expect(e.errors).toHaveLength(1);
  });

  it('joins YAML paths', () => {
    expect(joinPath('', 'model_list')).toBe('model_list');
    expect(joinPath('model_list', 0)).toBe('model_list[0]');
    expect(joinPath('model_list[0].model_info', 'odd key')).toBe('model_list[0].model_info["odd key"]');
  });
});
