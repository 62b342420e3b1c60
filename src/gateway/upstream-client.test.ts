import { describe, expect, it } from 'vitest';
import { upstreamTarget } from './upstream-client.js';

describe('upstreamTarget', () => {
  it('splits a URL into the origin and the path undici dispatches to, query kept', () => {
    expect(upstreamTarget('http://127.0.0.1:4300/v1/chat/completions')).toEqual({
      origin: 'http://127.0.0.1:4300',
      path: '/v1/chat/completions',
    });
    expect(
      upstreamTarget(
        'https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21',
      ),
    ).toEqual({
      origin: 'https://x.openai.azure.com',
      path: '/openai/deployments/d/chat/completions?api-version=2024-10-21',
    });
    // Credentials in the URL never become part of the origin (as with undici's own parsing).
    expect(upstreamTarget('https://user:pw@host.example/v1').origin).toBe('https://host.example');
  });

  it('parses a URL once and returns the same answer after', () => {
    const url = 'http://127.0.0.1:9/v1/embeddings';
    expect(upstreamTarget(url)).toBe(upstreamTarget(url));
  });

  it('rejects what is not http(s), as undici does', () => {
    expect(() => upstreamTarget('ftp://host/x')).toThrow(/http/);
    expect(() => upstreamTarget('not a url')).toThrow();
  });
});
