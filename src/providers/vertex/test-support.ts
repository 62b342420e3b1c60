/**
 * @module providers/vertex/test-support
 * Test-only (excluded from dist): a throwaway service-account key generated in the process (never a
 * committed secret), registered with the project's mock upstream so its token endpoint verifies the
 * assertions signed with it.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { MockUpstream } from '../../mock-upstream/server.js';

let pair: { privateKey: string; publicKey: string } | undefined;

/** One RSA-2048 pair per test process (generating one takes a moment). */
export function testKeyPair(): { privateKey: string; publicKey: string } {
  pair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return pair;
}

export interface TestServiceAccount {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  token_uri: string;
}

/** A service-account key whose token_uri is the mock's, registered with the mock (unless `register` is false). */
export function testServiceAccount(
  mock: MockUpstream,
  opts: { email?: string; project?: string; register?: boolean; tokenUri?: string } = {},
): TestServiceAccount {
  const { privateKey, publicKey } = testKeyPair();
  const email = opts.email ?? 'tollgate-test@tollgate-test-project.iam.gserviceaccount.com';
  if (opts.register !== false) mock.google.addServiceAccount(email, publicKey);
  return {
    type: 'service_account',
    project_id: opts.project ?? 'tollgate-test-project',
    private_key_id: 'test-key-1',
    private_key: privateKey,
    client_email: email,
    token_uri: opts.tokenUri ?? `${mock.url}/token`,
  };
}
