import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import '../access/fastify-types.js';
import type { AuthContext, RouteAuthorizer } from '../access/types.js';
import { GatewayError } from '../errors.js';
import { logger } from '../logger.js';
import { extractToken, installAuth, ipAllowList } from './auth-hook.js';
import { installErrorHandling } from './error-handler.js';

const CTX: AuthContext = {
  isMaster: true,
  openMode: false,
  keyHash: 'h',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: [],
  permissions: {},
  metadata: {},
  tags: [],
};

/** Accepts exactly the key `sk-good`; records what it was given. */
function authorizer(seen: Array<string | undefined>): RouteAuthorizer {
  return {
    authenticate(token) {
      seen.push(token);
      if (token !== 'sk-good') throw new GatewayError('TG_ERR_BAD_KEY', 'bad key');
      return CTX;
    },
    authorizeRoute() {},
  };
}

function app(o: Parameters<typeof installAuth>[2], seen: Array<string | undefined>) {
  const a = Fastify({ logger: false });
  installErrorHandling(a, logger);
  installAuth(a, authorizer(seen), o);
  a.get('/x', { config: { kind: 'llm' } }, async () => 'ok');
  a.get('/health', { config: { kind: 'public' } }, async () => 'alive');
  return a;
}

describe('auth hook', () => {
  it('litellm_key_header_name: the key comes from that header first (with or without "Bearer ")', async () => {
    const seen: Array<string | undefined> = [];
    const a = app({ keyHeaderName: 'x-litellm-key' }, seen);
    const r1 = await a.inject({ url: '/x', headers: { 'x-litellm-key': 'Bearer sk-good' } });
    expect(r1.statusCode).toBe(200);
    const r2 = await a.inject({
      url: '/x',
      headers: { 'x-litellm-key': 'sk-good', authorization: 'Bearer sk-other' },
    });
    expect(r2.statusCode).toBe(200);
    expect(seen).toEqual(['sk-good', 'sk-good']);
    expect(extractToken({ authorization: 'Bearer sk-a' }, 'x-litellm-key')).toBe('sk-a');
  });

  it('allowed_ips: other addresses get a 403 in the OpenAI shape; public routes stay reachable', async () => {
    const seen: Array<string | undefined> = [];
    const a = app({ allowedIps: ['10.0.0.0/8', '192.0.2.7'] }, seen);
    const denied = await a.inject({
      url: '/x',
      remoteAddress: '203.0.113.9',
      headers: { authorization: 'Bearer sk-good' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toMatchObject({
      type: 'permission_error',
      message: 'Access from IP address 203.0.113.9 is not allowed (general_settings.allowed_ips).',
    });
    expect(seen).toEqual([]); // refused before the key is looked at
    for (const ip of ['10.1.2.3', '192.0.2.7', '::ffff:10.9.9.9']) {
      const r = await a.inject({
        url: '/x',
        remoteAddress: ip,
        headers: { authorization: 'Bearer sk-good' },
      });
      expect(r.statusCode, ip).toBe(200);
    }
    expect((await a.inject({ url: '/health', remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
  });

  it('ipAllowList handles IPv6 ranges', () => {
    const allow = ipAllowList(['2001:db8::/32', '::1']);
    expect(allow('2001:db8::1')).toBe(true);
    expect(allow('::1')).toBe(true);
    expect(allow('2001:db9::1')).toBe(false);
    expect(allow('not an ip')).toBe(false);
  });
});
