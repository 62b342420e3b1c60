/**
 * @module config/test-helpers
 * Shared helpers for the config tests: parse expecting failure, find a diagnostic by path.
 */

import { expect } from 'vitest';
import { ConfigError, parseConfig } from './load.js';
import type { ConfigDiagnostic } from './types.js';

/**
 * Parses `text` strictly (a bad model_list entry is an error, as with `--strict`), expecting a ConfigError;
 * returns its diagnostics.
 */
export function parseErrors(text: string, env: NodeJS.ProcessEnv = {}): ConfigDiagnostic[] {
  let caught: unknown;
  try {
    parseConfig(text, { env, sourcePath: 'config.yaml', strict: true });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return (caught as ConfigError).diagnostics;
}

/** The single diagnostic at `path` with `severity` (fails when there is not exactly one). */
export function at(
  diags: ConfigDiagnostic[],
  path: string,
  severity: 'error' | 'warning' = 'error',
): ConfigDiagnostic {
  const found = diags.filter((d) => d.path === path && d.severity === severity);
  expect(found, `${severity} at ${path} in ${JSON.stringify(diags, null, 1)}`).toHaveLength(1);
  return found[0];
}

/** Builds YAML from lines (keeps tests readable and line numbers obvious). */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
