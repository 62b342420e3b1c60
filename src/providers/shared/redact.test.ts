import { describe, expect, it } from 'vitest';
import { excerpt, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('removes provider keys, bearer tokens and key parameters', () => {
    const text =
      'Incorrect API key provided: sk-proj-abc123*******xyz9. Bearer gsk_0123456789abcdef key=supersecretvalue x-api-key: sk-ant-api03-AAAA';
    const out = redactSecrets(text);
    expect(out).not.toMatch(/abc123|xyz9|0123456789abcdef|supersecretvalue|api03-AAAA/);
    expect(out).toContain('Incorrect API key provided');
  });

  it('leaves ordinary messages alone', () => {
    expect(redactSecrets('max_tokens: Field required')).toBe('max_tokens: Field required');
  });

  it('excerpt trims, collapses whitespace and truncates', () => {
    expect(excerpt(`<html>\n  <body>${'x '.repeat(400)}</body>`, 20)).toBe('<html> <body>x x x x…');
  });
});
