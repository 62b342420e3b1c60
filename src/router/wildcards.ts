/**
 * @module router/wildcards
 * LiteLLM's pattern routing: a `model_name` with `*` (`"*"`, `"anthropic/*"`, `"claude-*"`, `"fo::*:static::*"`)
 * matches requested model names; the most specific pattern wins (the one with the most literal characters), and
 * each `*` in the deployment's `litellm_params.model` is replaced by what the matching `*` captured
 * (`anthropic/*` asked for `anthropic/claude-3-haiku` → `anthropic/claude-3-haiku`). Pure functions.
 */

export function isWildcardName(name: string): boolean {
  return name.includes('*');
}

export interface WildcardPattern<T> {
  readonly pattern: string;
  readonly regex: RegExp;
  /** Literal characters in the pattern: more = more specific. */
  readonly specificity: number;
  readonly members: readonly T[];
}

const escapeRegex = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('(.*)')}$`, 's');
}

/** Groups wildcard members by their pattern, most specific first (ties keep config order). */
export function buildPatterns<T extends { modelName: string }>(members: readonly T[]): WildcardPattern<T>[] {
  const byPattern = new Map<string, T[]>();
  for (const m of members) {
    const list = byPattern.get(m.modelName);
    if (list) list.push(m);
    else byPattern.set(m.modelName, [m]);
  }
  return [...byPattern]
    .map(([pattern, list]) => ({
      pattern,
      regex: compilePattern(pattern),
      specificity: pattern.replaceAll('*', '').length,
      members: list,
    }))
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p.specificity - a.p.specificity || a.i - b.i)
    .map((x) => x.p);
}

export interface WildcardMatch<T> {
  pattern: WildcardPattern<T>;
  captures: string[];
}

export function matchPattern<T>(
  patterns: readonly WildcardPattern<T>[],
  requested: string,
): WildcardMatch<T> | null {
  for (const p of patterns) {
    const m = p.regex.exec(requested);
    if (m) return { pattern: p, captures: m.slice(1) };
  }
  return null;
}

/**
 * The concrete `litellm_params.model` for a request: each `*` of the template is replaced by the capture in the
 * same position (the last capture fills any extra `*`). A template `provider/*` asked for `provider/x` through a
 * bare `*` pattern does not double the prefix. A template without `*` is used as written.
 */
export function concreteModel(template: string, captures: readonly string[]): string {
  if (!template.includes('*')) return template;
  const parts = template.split('*');
  let out = parts[0];
  for (let i = 1; i < parts.length; i++) {
    let c = captures[Math.min(i - 1, captures.length - 1)] ?? '';
    if (i === 1 && out.endsWith('/') && c.startsWith(out)) c = c.slice(out.length);
    out += c + parts[i];
  }
  return out;
}
