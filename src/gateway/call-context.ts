/**
 * @module gateway/call-context
 * Reads the tracking fields out of a client body: `user` (the customer), `metadata.tags` and the
 * other metadata keys (LiteLLM style), and produces the body to forward without gateway-only
 * fields. The client's object is never mutated.
 */

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
 * The body to forward. For Anthropic-native calls `metadata.user_id` is a real API field, so it is
 * kept (and only it: Anthropic rejects other metadata keys).
 */
export function stripGatewayFields(
  body: Record<string, unknown>,
  nativeAnthropic = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in body) if (!GATEWAY_FIELDS.has(k)) out[k] = body[k];
  if (nativeAnthropic && isObject(body.metadata) && typeof body.metadata.user_id === 'string') {
    out.metadata = { user_id: body.metadata.user_id };
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
