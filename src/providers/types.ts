/**
 * @module providers/types
 * The contract every provider family implements: data plus small pure functions, no classes.
 * The gateway speaks OpenAI's wire format to clients; an adapter maps it to and from its upstream.
 */
import type { DeploymentConfig } from '../config/types.js';
import type { Usage } from '../pricing/usage.js';

export type CallType = 'chat' | 'completion' | 'embedding' | 'image_generation' | 'anthropic_messages';

export interface PreparedRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
}

export interface ParsedResponse {
  /** The response body in OpenAI shape (or Anthropic shape for anthropic_messages). */
  body: Record<string, unknown>;
  usage: Usage;
  /** The model name the provider reported, if any. */
  responseModel?: string;
  /** True when the upstream body carried no usage at all (usage is then zero: estimate it). */
  usageMissing?: boolean;
}

/**
 * Stateful converter for one streamed response. Fed raw upstream text (SSE or NDJSON, split
 * anywhere), it returns client-ready SSE text to forward at once. Upstream usage chunks and the
 * upstream `[DONE]` are held back: the gateway writes the final usage chunk (with the cost) and
 * `data: [DONE]` itself, after pricing.
 */
export interface StreamDecoder {
  push(text: string): string;
  finish(): StreamResult;
}

export interface StreamResult {
  /**
   * The final chunk to send, carrying `usage` (OpenAI chunk shape for OpenAI-format streams;
   * null for native pass-through streams, where nothing is appended).
   */
  usageChunk: Record<string, unknown> | null;
  /** Usage the upstream reported, or null if it reported none (then the gateway estimates). */
  usage: Usage | null;
  responseModel?: string;
  /** All generated text so far, for estimation when usage is missing. */
  text: string;
  /** Any trailing SSE text to flush before the usage chunk. */
  tail: string;
}

export interface UpstreamError {
  message: string;
  type?: string;
}

export interface ProviderAdapter {
  /** Family name, e.g. `openai`, `azure`, `anthropic`, `ollama`. */
  family: string;
  /** Call types this family can serve. */
  supports: readonly CallType[];
  /**
   * Build the upstream request. `body` is the client's OpenAI-shaped body with gateway-only fields
   * (`metadata`, and `user` where the provider rejects it) already removed; `model` is replaced here.
   */
  buildRequest(
    callType: CallType,
    body: Record<string, unknown>,
    deployment: DeploymentConfig,
    stream: boolean,
  ): PreparedRequest;
  /** Map a successful upstream JSON body to the client shape plus normalised usage. */
  parseResponse(callType: CallType, upstream: unknown, deployment: DeploymentConfig): ParsedResponse;
  /** A decoder for one streamed response. */
  createStreamDecoder(callType: CallType, deployment: DeploymentConfig): StreamDecoder;
  /** Extract a human message from an upstream error body (never echoing credentials). */
  parseError(status: number, bodyText: string): UpstreamError;
}
