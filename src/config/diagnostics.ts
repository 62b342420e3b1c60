/**
 * @module config/diagnostics
 * Config diagnostics: a collector used while loading, the ConfigError thrown when any error was
 * found, and the one-line-per-problem text format (`config.yaml:12 model_list[0].model: message`).
 */

import type { ConfigDiagnostic } from './types.js';

/** Appends `key` to a YAML path: `a.b`, `a[0]`, `a["odd key"]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const part = /^[A-Za-z_][\w-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (base === '') return part;
  return part.startsWith('[') ? `${base}${part}` : `${base}.${part}`;
}

/** Collects diagnostics for one load; `file` is stamped on every entry. */
export class Diagnostics {
  readonly list: ConfigDiagnostic[] = [];
  file: string | undefined;

  constructor(file?: string) {
    this.file = file;
  }

  error(path: string, line: number | undefined, message: string): void {
    this.push('error', path, line, message);
  }

  warn(path: string, line: number | undefined, message: string): void {
    this.push('warning', path, line, message);
  }

  push(
    severity: ConfigDiagnostic['severity'],
    path: string,
    line: number | undefined,
    message: string,
  ): void {
    const d: ConfigDiagnostic = { severity, path, message };
    if (line !== undefined) d.line = line;
    if (this.file !== undefined) d.file = this.file;
    this.list.push(d);
  }

  get errors(): ConfigDiagnostic[] {
    return this.list.filter((d) => d.severity === 'error');
  }

  get warnings(): ConfigDiagnostic[] {
    return this.list.filter((d) => d.severity === 'warning');
  }
}

/** Formats one diagnostic: `config.yaml:12 model_list[0].model_info.input_cost_per_token: message`. */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  const file = d.file ?? (d.line !== undefined ? 'config.yaml' : '');
  const where = `${file}${d.line !== undefined ? `:${d.line}` : ''}`;
  const parts = [
    where,
    d.path === '' ? '' : `${d.path}:`,
    d.severity === 'warning' ? 'warning:' : '',
    d.message,
  ];
  return parts.filter((p) => p !== '').join(' ');
}

/** One line per diagnostic, sorted by file then line (stable). */
export function formatDiagnostics(diags: ConfigDiagnostic[]): string {
  return sortDiagnostics(diags).map(formatDiagnostic).join('\n');
}

export function sortDiagnostics(diags: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (a.d.file ?? '').localeCompare(b.d.file ?? '') ||
        (a.d.line ?? Number.MAX_SAFE_INTEGER) - (b.d.line ?? Number.MAX_SAFE_INTEGER) ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

/**
 * Thrown by parseConfig/loadConfigFile when the config has at least one error. `message` is every
 * error formatted (one per line); `diagnostics` holds every error and warning, sorted by line.
 */
export class ConfigError extends Error {
  readonly diagnostics: ConfigDiagnostic[];

  constructor(diagnostics: ConfigDiagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    super(formatDiagnostics(sorted.filter((d) => d.severity === 'error')));
    this.name = 'ConfigError';
    this.diagnostics = sorted;
  }

  get errors(): ConfigDiagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }
}
