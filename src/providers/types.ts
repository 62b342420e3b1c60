/**
 * @module providers/types
 * The one contract every provider family implements: data plus small functions, no classes.
 *
 * A family (`openai`, `azure`, `anthropic`, `ollama`, `mock`, …) is a table of endpoint handlers keyed by
 * call type — an endpoint the family lacks is simply absent — plus family-wide hooks: an async `authorize`
 * step that sees the final request (signing, OAuth tokens), an optional in-process `send` (the mock), and
 * `classifyError`, where an upstream failure becomes a GatewayError whose `retryable` is decided once.
 * The engine only orchestrates: build → authorize → send → parse or decode → price → record.
 * See docs/PROVIDERS.md.
 */
import type { Readable } from 'node:stream';
import type { DeploymentConfig } from '../config/types.js';
import type { GatewayError } from '../errors.js';
import type { Usage } from '../pricing/usage.js';

/**
 * The kinds of call a client can make. A family serves a subset (its endpoint table's keys); the
 * gateway checks that set when the config loads.
 */
export type CallType =
  | 'chat'
  | 'completion'
  | 'embedding'
  | 'image_generation'
  | 'anthropic_messages'
  // OpenAI Responses API: create (priced), and the free retrieval calls on a stored response.
  | 'responses'
  | 'responses_get'
  | 'responses_delete'
  | 'responses_input_items'
  // Multipart uploads (the file is on disk, see UploadedFile) and the other OpenAI endpoints.
  | 'transcription'
  | 'translation'
  | 'speech'
  | 'image_edit'
  | 'image_variation'
  | 'rerank'
  | 'moderation'
  // Anthropic `/v1/messages/count_tokens` (free of charge).
  | 'count_tokens';

export const CALL_TYPES: readonly CallType[] = [
  'chat',
  'completion',
  'embedding',
  'image_generation',
  'anthropic_messages',
  'responses',
  'responses_get',
  'responses_delete',
  'responses_input_items',
  'transcription',
  'translation',
  'speech',
  'image_edit',
  'image_variation',
  'rerank',
  'moderation',
  'count_tokens',
];

/**
 * Whether a call type's answer is a stream: `optional` when the client sets `stream: true`, `always` for
 * endpoints whose answer is a byte stream whatever the body says (speech audio), `never` otherwise.
 */
export const STREAMING: Readonly<Record<CallType, 'never' | 'optional' | 'always'>> = {
  chat: 'optional',
  completion: 'optional',
  embedding: 'never',
  image_generation: 'never',
  anthropic_messages: 'optional',
  responses: 'optional',
  responses_get: 'never',
  responses_delete: 'never',
  responses_input_items: 'never',
  transcription: 'never',
  translation: 'never',
  speech: 'always',
  image_edit: 'never',
  image_variation: 'never',
  rerank: 'never',
  moderation: 'never',
  count_tokens: 'never',
};

/**
 * A file of a multipart request, saved to a temporary file by the HTTP layer (bounded by the size limit)
 * so each attempt can stream it to the upstream again. Multipart call types carry them in
 * `body.files`; the other form fields are ordinary body fields (strings).
 */
export interface UploadedFile {
  /** The form field name (`file`, `image`, `image[]`, `mask`). */
  field: string;
  filename: string;
  contentType: string;
  /** Path of the temporary copy (removed when the request ends). */
  path: string;
  size: number;
  /** Audio length read from the file (music-metadata), in ms; undefined when it could not be read. */
  durationMs?: number;
}

/** One call as a handler sees it. */
export interface CallInput {
  readonly callType: CallType;
  /**
   * The client's body without gateway-only fields (`metadata`, `mock_response`, …); deployment defaults
   * are not applied yet (handlers apply them with `withDefaults`). Never mutate it.
   */
  readonly body: Record<string, unknown>;
  readonly deployment: DeploymentConfig;
  readonly stream: boolean;
  /** A canned answer for this call (`mock_response` in the request or the deployment), for the mock family. */
  readonly mockResponse?: string;
}

/** A request ready to go upstream (after `authorize`, with final headers). */
export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET' | 'DELETE';
  headers: Record<string, string>;
  /**
   * JSON text, raw bytes, a byte stream (multipart uploads, read from disk: built anew by each
   * attempt's `build`), or null for bodyless methods.
   */
  body: string | Uint8Array | Readable | null;
}

/** What came back: status, headers, and the body as bytes (read once: iterate or `text()`). */
export interface UpstreamReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
}

/** A successful non-streaming answer, mapped to the client's shape. */
export interface ParsedResponse {
  /** The response body in the client's shape (OpenAI, or the native shape for pass-through calls). */
  body: Record<string, unknown>;
  /** Exact JSON text of `body` when it is the upstream's own text unchanged (saves a re-serialise). */
  text?: string;
  /** Normalised usage, or null when the upstream reported none (the gateway then estimates it). */
  usage: Usage | null;
  /** The usage object exactly as the provider sent it (stored for audits and re-pricing). */
  rawUsage: unknown;
  /** The model name the provider reported, if any. */
  responseModel?: string;
  /** Content type of `text` for the client when it is not JSON (transcriptions in text/srt/vtt). */
  contentType?: string;
}

/** What a stream decoder learnt by the end of the upstream stream. */
export interface StreamOutcome {
  /** Usage the upstream reported, or null if it reported none (then the gateway estimates). */
  usage: Usage | null;
  rawUsage: unknown;
  responseModel?: string;
  /** All generated text so far (content, reasoning, tool arguments), for estimation. */
  text: string;
  /**
   * An error the upstream sent inside the stream, or a malformed stream (classified and redacted; nothing
   * of it was forwarded). The call is logged as failed, with the tokens generated so far billed, and
   * `finalize` tells the client in its wire format.
   */
  error: GatewayError | null;
}

/** What the engine knows after pricing, for the last client-facing frames. */
export interface StreamFinal {
  usage: Usage;
  /** Exact decimal text of the cost, e.g. "0.000168". */
  costText: string;
  requestId: string;
  /** The client asked for a usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** The call failed after the stream started (in-stream upstream error, broken or malformed stream). */
  error: GatewayError | null;
}

/**
 * Stateful converter for one streamed response. Fed raw upstream bytes split anywhere (SSE, NDJSON, AWS
 * event-stream…), it returns client-ready text to forward at once. Usage frames and the upstream's
 * end-of-stream marker are held back: `finalize` writes the last frames (any buffered tail, then e.g. the
 * usage chunk with `usage.cost` and `data: [DONE]`, or an error frame) once the gateway has priced the call.
 */
export interface StreamDecoder {
  /** Content type of what the client receives (default `text/event-stream`; speech: the audio's). */
  readonly contentType?: string;
  /**
   * Usage fully known from the request before any byte streams (speech: the input's characters). The
   * engine prices it up front so the cost goes into the response headers, and bills exactly that.
   */
  readonly knownUsage?: Usage;
  /** Client-ready text (SSE) or bytes (audio) to forward now; empty when nothing is due. */
  push(chunk: Uint8Array): string | Uint8Array;
  end(): StreamOutcome;
  finalize(final: StreamFinal): string;
}

/** One endpoint of one family. */
export interface EndpointHandler {
  /** Build the upstream request (synchronous and pure apart from cached credential lookups). */
  build(input: CallInput): UpstreamRequest;
  /** Map a successful (2xx) upstream body to the client shape plus usage. `raw` is the body text. */
  parse(json: unknown, raw: string, input: CallInput): ParsedResponse;
  /** The upstream may answer with text that is not JSON (transcriptions): `parse` then gets `json` undefined. */
  readsText?: boolean;
  /** A decoder for one streamed response (`reply`: the upstream's status and headers); absent when the endpoint cannot stream. */
  decoder?(input: CallInput, reply?: UpstreamReply): StreamDecoder;
}

export type EndpointTable = Readonly<Partial<Record<CallType, EndpointHandler>>>;

export interface ProviderFamily {
  /** Family name, e.g. `openai`, `azure`, `anthropic`, `ollama`, `mock`. */
  readonly name: string;
  readonly endpoints: EndpointTable;
  /**
   * Async step with the final URL, headers and body: sign it (SigV4) or attach a fresh OAuth token
   * (cached until shortly before expiry). Throws a classified GatewayError on credential problems.
   */
  authorize?(
    req: UpstreamRequest,
    deployment: DeploymentConfig,
    signal?: AbortSignal,
  ): Promise<UpstreamRequest>;
  /** In-process transport replacing HTTP (the mock family). */
  send?(req: UpstreamRequest, input: CallInput): Promise<UpstreamReply>;
  /** An upstream HTTP error (status ≥ 400) → a classified, redacted GatewayError. */
  classifyError(status: number, bodyText: string, reply: UpstreamReply, input: CallInput): GatewayError;
  /**
   * Load-time check of a deployment's credentials and settings. Each string is a problem that will make
   * every call fail (reported as a warning at load, and as TG_ERR_PROVIDER_CONFIG at request time).
   */
  checkDeployment?(deployment: DeploymentConfig): string[];
  /**
   * The base URL calls of this deployment go to (api_base, else the provider's environment variable, else its
   * default), for spend logs and /model/info; undefined when unknown. May contain credentials in its userinfo or
   * query: callers show it through a credential-free view. (additive)
   */
  apiBase?(deployment: DeploymentConfig): string | undefined;
}

/** Call types a family can serve. */
export function supportedCallTypes(family: ProviderFamily): CallType[] {
  return CALL_TYPES.filter((t) => family.endpoints[t] !== undefined);
}
