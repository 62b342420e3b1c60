/**
 * @module gateway/upstream-call
 * One attempt's trip to the provider, whatever the family: build the request with the endpoint handler,
 * let the family authorize it (sign, attach a token), send it (over HTTP, or in-process for the mock),
 * and turn an HTTP error into the family's classified GatewayError. The caller then parses or decodes.
 */
import { performance } from 'node:perf_hooks';
import { GatewayError, isGatewayError } from '../errors.js';
import { mockFamily } from '../providers/registry.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamReply } from '../providers/types.js';
import type { DeploymentRuntime } from './deployment-runtime.js';
import { classifyUpstreamFailure, sendUpstream } from './upstream-client.js';

export interface UpstreamCall {
  family: ProviderFamily;
  handler: EndpointHandler;
  input: CallInput;
  /** A 2xx reply whose body is still unread. */
  reply: UpstreamReply;
  /**
   * performance.now() when the request left (after build and authorize): per-second prices bill the
   * upstream call's wall time from here to the last byte, never the gateway's signing or token fetches.
   */
  sentAt: number;
}

interface PlannedCall {
  readonly callType: CallInput['callType'];
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  readonly mockResponse: string | undefined;
}

export async function openUpstream(
  plan: PlannedCall,
  rt: DeploymentRuntime,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<UpstreamCall> {
  // A request-level mock_response is answered by the mock family like any other provider.
  const family = plan.mockResponse === undefined ? rt.family : mockFamily;
  const handler = family.endpoints[plan.callType];
  if (!handler) {
    throw new GatewayError('TG_ERR_UNSUPPORTED', `Deployment ${rt.label} does not support ${plan.callType}.`);
  }
  const input: CallInput = {
    callType: plan.callType,
    body: plan.body,
    deployment: rt.config,
    stream: plan.stream,
    mockResponse: plan.mockResponse,
  };
  let req = handler.build(input);
  if (family.authorize) req = await family.authorize(req, rt.config, signal);
  let reply: UpstreamReply;
  const sentAt = performance.now();
  try {
    reply = family.send ? await family.send(req, input) : await sendUpstream(req, timeoutMs, signal);
  } catch (err) {
    throw isGatewayError(err) ? err : classifyUpstreamFailure(err, rt.label, timeoutMs);
  }
  if (reply.status >= 400) {
    const text = await reply.text().catch(() => '');
    throw family.classifyError(reply.status, text, reply, input);
  }
  return { family, handler, input, reply, sentAt };
}

/** Reads a non-streaming body as JSON; a connection cut while reading is classified like one before. */
export async function readJsonBody(
  call: UpstreamCall,
  rt: DeploymentRuntime,
  timeoutMs: number,
): Promise<{ json: unknown; raw: string }> {
  let raw: string;
  try {
    raw = await call.reply.text();
  } catch (err) {
    throw classifyUpstreamFailure(err, rt.label, timeoutMs);
  }
  try {
    return { json: JSON.parse(raw), raw };
  } catch {
    // Endpoints that may answer in plain text (transcriptions as text/srt/vtt) parse the raw text.
    if (call.handler.readsText) return { json: undefined, raw };
    throw new GatewayError('TG_ERR_UPSTREAM', `Upstream deployment ${rt.label} returned invalid JSON.`);
  }
}

/** The upstream connection failed after the stream started (never retried: bytes reached the client). */
export function brokenStreamError(err: unknown, rt: DeploymentRuntime): GatewayError {
  if (isGatewayError(err)) return err;
  const e = err as { code?: string; name?: string };
  return new GatewayError(
    'TG_ERR_UPSTREAM',
    `Upstream deployment ${rt.label} broke off the stream (${e.code ?? e.name ?? 'connection error'}).`,
    { retryable: false },
  );
}
