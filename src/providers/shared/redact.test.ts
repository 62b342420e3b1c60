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

  it('masks opaque tokens but not long model names', () => {
    const models = [
      'accounts/fireworks/models/llama-v3p1-405b-instruct',
      'meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'projects/my-project/locations/us-central1/publishers/google/models/gemini-1.5-pro',
      'together_ai/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
      'openrouter/meta-llama/llama-3.1-8b-instruct:free',
    ];
    for (const m of models) expect(redactSecrets(`The model \`${m}\` does not exist`)).toContain(m);
    const hex = 'a3f1c9e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0';
    const b64 = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==';
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const google = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
    const out = redactSecrets(`token ${hex} then ${b64} jwt ${jwt} google ${google}`);
    for (const secret of [hex, b64, jwt, google]) expect(out).not.toContain(secret);
  });

  it('leaves ordinary messages alone', () => {
    expect(redactSecrets('max_tokens: Field required')).toBe('max_tokens: Field required');
  });

  it('excerpt trims, collapses whitespace and truncates', () => {
    expect(excerpt(`<html>\n  <body>${'x '.repeat(400)}</body>`, 20)).toBe('<html> <body>x x x x…');
  });
});
