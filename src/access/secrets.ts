/**
 * @module access/secrets
 * Virtual-key secrets: generation (`sk-` + url-safe random, as LiteLLM), the sha256 hex that is the
 * only form ever stored (and the `api_key` of spend logs), the display name, and the constant-time
 * master-key check.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateVirtualKey(): string {
  return `sk-${randomBytes(16).toString('base64url')}`;
}

export function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer'); // one-shot: no Hash object per request
}

export function hashKey(key: string): string {
  return sha256(key).toString('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A value that is already a key hash (LiteLLM accepts either the key or its hash in management calls). */
export function isKeyHash(value: string): boolean {
  return HEX64.test(value);
}

/** `sk-...AbCd`, as LiteLLM's key_name. */
export function keyDisplayName(key: string): string {
  return `sk-...${key.slice(-4)}`;
}

/** sha256 hex of a key, or the value itself when it is already a hash. */
export function toKeyHash(keyOrHash: string): string {
  return isKeyHash(keyOrHash) ? keyOrHash : hashKey(keyOrHash);
}

/** Compares a presented token's sha256 digest with the master key's in constant time. */
export function createMasterKeyMatcher(masterKey: string): (tokenDigest: Buffer) => boolean {
  const expected = sha256(masterKey);
  return (tokenDigest) => tokenDigest.length === expected.length && timingSafeEqual(tokenDigest, expected);
}
