import { describe, expect, it } from 'vitest';
import { buildPatterns, concreteModel, isWildcardName, matchPattern } from './wildcards.js';

const m = (modelName: string, tag: string) => ({ modelName, tag });

describe('wildcard routing (LiteLLM pattern router)', () => {
  const patterns = buildPatterns([
    m('*', 'any'),
    m('anthropic/*', 'anthropic'),
    m('claude-*', 'claude'),
    m('fo::*:static::*', 'fo'),
    m('anthropic/*', 'anthropic-2'),
  ]);

  it('knows a wildcard name', () => {
    expect(isWildcardName('openai/*')).toBe(true);
    expect(isWildcardName('gpt-4o')).toBe(false);
  });

  it('the most specific pattern wins; members with the same pattern stay together in config order', () => {
    expect(patterns.map((p) => p.pattern)).toEqual(['fo::*:static::*', 'anthropic/*', 'claude-*', '*']);
    expect(matchPattern(patterns, 'anthropic/claude-3-haiku')?.pattern.members.map((x) => x.tag)).toEqual([
      'anthropic',
      'anthropic-2',
    ]);
    expect(matchPattern(patterns, 'claude-3-5-sonnet')?.pattern.pattern).toBe('claude-*');
    expect(matchPattern(patterns, 'gpt-4o')?.pattern.pattern).toBe('*');
    expect(matchPattern(patterns, 'fo::hi:static::there')?.captures).toEqual(['hi', 'there']);
  });

  it('regex characters in a pattern are literal', () => {
    const p = buildPatterns([m('a.b/*', 'x')]);
    expect(matchPattern(p, 'a.b/c')).not.toBeNull();
    expect(matchPattern(p, 'aXb/c')).toBeNull();
  });

  it('fills each * of the deployment model with its capture, without doubling a provider prefix', () => {
    expect(concreteModel('anthropic/*', ['claude-3-haiku'])).toBe('anthropic/claude-3-haiku');
    expect(concreteModel('openai/*', ['openai/gpt-4o'])).toBe('openai/gpt-4o');
    expect(concreteModel('openai/*', ['gpt-4o'])).toBe('openai/gpt-4o');
    expect(concreteModel('*', ['gpt-4o'])).toBe('gpt-4o');
    expect(concreteModel('openai/fo::*:static::*', ['hi', 'there'])).toBe('openai/fo::hi:static::there');
    expect(concreteModel('anthropic/claude-3-haiku-20240307', ['anything'])).toBe(
      'anthropic/claude-3-haiku-20240307',
    );
  });
});
