/**
 * @module gateway/call-context
 * Reads the tracking fields out of a client body: `user` (the customer), `metadata.tags` and the
 * other metadata keys (LiteLLM style), and produces the body to forward without gateway-only
 * fields. The client's object is never mutated.
 */
import type { CallType } from '../providers/types.js';

export interface TrackingInfo {
  endUser: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
}

/** Fields the gateway consumes and never forwards. `user` is left for the adapter to decide. */
const GATEWAY_FIELDS = new Set(['metadata', 'litellm_metadata', 'mock_response', 'tags', 'cache']);

export function readTracking(body: Record<string, unknown>, keyTags: readonly string[]): TrackingInfo {
  const endUser = typeof body.user === 'string' && body.user.length > 0 ? body.user : null;
  const meta = (
    isObject(body.metadata) ? body.metadata : isObject(body.litellm_metadata) ? body.litellm_metadata : null
  ) as Record<string, unknown> | null;
  const tags: string[] = [];
  const addTags = (v: unknown) => {
    if (Array.isArray(v)) for (const t of v) if (typeof t === 'string' && !tags.includes(t)) tags.push(t);
  };
  addTags(meta?.tags);
  addTags(body.tags);
  addTags(keyTags);
  let metadata: Record<string, unknown> = {};
  if (meta) {
    metadata = { ...meta };
    delete metadata.tags;
  }
  return { endUser, tags, metadata };
}

/**
 * The body to forward. Where `metadata` is a real API field it reaches the upstream: for Anthropic-native
 * calls its `user_id` (and only it: Anthropic rejects other metadata keys); for the Responses API the
 * client's metadata (string key/value pairs) without the gateway's `tags` list. Tags still come from
 * `metadata.tags` (readTracking); LiteLLM's `litellm_metadata` is never forwarded.
 */
export function stripGatewayFields(
  body: Record<string, unknown>,
  callType?: CallType,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in body) if (!GATEWAY_FIELDS.has(k)) out[k] = body[k];
  const meta = body.metadata;
  if (!isObject(meta)) return out;
  if (callType === 'anthropic_messages' && typeof meta.user_id === 'string') {
    out.metadata = { user_id: meta.user_id };
  } else if (callType === 'responses') {
    const kept: Record<string, unknown> = {};
    let any = false;
    for (const k in meta) {
      if (k === 'tags' && typeof meta[k] !== 'string') continue;
      kept[k] = meta[k];
      any = true;
    }
    if (any) out.metadata = kept;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
