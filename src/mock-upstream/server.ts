/**
 * @module mock-upstream/server
 * One plain node:http server speaking every upstream wire format Tollgate talks to, on the real
 * paths, for tests, the offline demo and the benchmark.
 *
 *   OpenAI-compatible  POST …/chat/completions, …/completions, …/embeddings, …/images/generations
 *                      (any prefix, e.g. /v1 or /openai/v1), `Authorization: Bearer <key>`
 *   Azure OpenAI       POST /openai/deployments/:name/{same paths}?api-version=…, `api-key` header;
 *                      answers with a generic model name (gpt-4, gpt-4o, gpt-35-turbo…) whatever the deployment
 *   Anthropic          POST …/v1/messages, `x-api-key` + `anthropic-version` required
 *   Ollama             POST /api/chat, /api/generate, /api/embed (no auth)
 *   Gemini (AI Studio) POST …/v1beta/models/{m}:generateContent, :streamGenerateContent?alt=sse,
 *                      :embedContent, :batchEmbedContents; `x-goog-api-key` header or `key=` query
 *   Vertex AI          POST …/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:{same, :predict},
 *                      publishers/anthropic/models/{m}:rawPredict / :streamRawPredict; a bearer token the
 *                      mock's token endpoint issued (`mock.google`, see google-oauth.ts)
 *   Google OAuth       POST /token (service-account JWT assertion → expiring bearer token)
 *
 * For Gemini and Vertex the switches are read from the model name in the path.
 *   Bedrock runtime    POST /model/:id/converse[-stream], /model/:id/invoke (SigV4, service bedrock)
 *   SageMaker runtime  POST /endpoints/:name/invocations[-response-stream] (SigV4, service sagemaker)
 *   STS                POST / with Action=AssumeRole (SigV4, service sts)
 *   Cohere v2          POST /v2/chat, /v2/embed, `Authorization: Bearer <key>`
 *   (AWS and Cohere: aws-cohere-routes.ts; AWS keys: `opts.aws.keys`, default MOCK_AWS_KEYS)
 *   Responses API      POST …/responses, GET/DELETE …/responses/{id}, GET …/responses/{id}/input_items
 *                      (Azure: /openai/responses…); see responses-routes.ts
 *   Audio, images, …   …/audio/transcriptions|translations (multipart), …/audio/speech, …/images/edits|
 *                      variations (multipart), …/moderations, …/rerank (Jina), …/v2/rerank (Cohere),
 *                      …/v1/messages/count_tokens (Anthropic); see media-routes.ts
 *
 * Credentials: any non-empty key is accepted unless it contains `invalid` (or is not in
 * `opts.apiKeys` when given); a missing or rejected key → 401 in that provider's error shape.
 *
 * Switches, read from the requested model name (Azure: the deployment name), combinable:
 *   fail-<status>     answer that HTTP status with the provider's error body (429 adds retry-after: 0)
 *   fail-context      400 "maximum context length" (OpenAI's context_length_exceeded, Anthropic's "prompt is too long")
 *   fail-content      400 content policy refusal (OpenAI/Azure content_filter)
 *   flaky-<n>         the first n requests for this model name fail with 500, later ones succeed
 *   slow-<ms>         wait before answering
 *   hang              never answer (the connection stays open until close())
 *   cache-<n>         n cached prompt tokens (OpenAI prompt_tokens_details.cached_tokens, part of
 *                     prompt_tokens; Anthropic cache_read_input_tokens, outside input_tokens)
 *   cache-write-<n>   n prompt tokens written to the cache (Anthropic cache_creation_input_tokens)
 *   reasoning-<n>     n reasoning tokens (OpenAI completion_tokens_details.reasoning_tokens, part of
 *                     completion_tokens; Anthropic adds a thinking block and n output tokens)
 *   stream-slow-<ms>  wait between stream chunks
 *   cut-<n>           drop the connection after n stream chunks (events / NDJSON lines)
 *   stream-error      send the provider's error event after the first content chunk
 *   echo-key          with stream-error (OpenAI format): the error message echoes the presented API key
 *   no-usage          OpenAI format: no usage field / no include_usage chunk
 *   tool-call         answer with a call to the first declared tool (also when tool_choice forces one)
 *   missing           Ollama: 404 model not found
 *   prompt-<n>        n extra uncached prompt tokens reported (a long prompt, e.g. past a 200k tier)
 *   blocked           Gemini: the prompt is blocked for safety (200 with promptFeedback.blockReason)
 *   malformed         Gemini: a stream event that is not JSON after the first chunk
 *   retry-delay-<s>   Google 429s (fail-429): the RetryInfo retryDelay (default 0s; no retry-after header)
 *   missing           Ollama: 404 model not found; SageMaker: 400 endpoint not found
 *   truncate-frame    Bedrock/SageMaker streams: the body ends halfway through an event-stream frame
 *   bench             OpenAI chat: pre-serialised fixed answer, no per-request JSON work, not recorded
 *
 * The answer echoes the last user message; usage counts the prompt and the answer with the tokenizer.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord, type Json, tryParse } from '../providers/shared/json.js';
import { anthropicError, anthropicErrorType, handleAnthropic } from './anthropic-routes.js';
import { createMockAwsState, type MockAwsKey, type MockAwsState } from './aws-auth.js';
import { handleAwsAndCohereRoutes } from './aws-cohere-routes.js';
import {
  BENCH_CHAT_BODY,
  BENCH_CHAT_HEADERS,
  BENCH_STREAM_BODY,
  BENCH_STREAM_HEADERS,
  benchKind,
} from './bench.js';
import { googleError, handleGemini } from './gemini-routes.js';
import { createGoogleMock, type GoogleMockControl } from './google-oauth.js';
import { sendJson, sleep } from './http-util.js';
import {
  handleCohereRerank,
  handleCountTokens,
  handleImageEdit,
  handleJinaRerank,
  handleModeration,
  handleSpeech,
  handleTranscription,
  parseMultipart,
} from './media-routes.js';
import { handleOllama, type OllamaKind } from './ollama-routes.js';
import { azureGenericModel, handleOpenAi, type OpenAiKind, openAiError } from './openai-routes.js';
import { handleResponsesById, handleResponsesCreate } from './responses-routes.js';
import { parseSwitches, type Switches } from './switches.js';
import { handleVertex, type VertexRoute, vertexRoute } from './vertex-routes.js';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined if not JSON). */
  body: unknown;
  rawBody: string;
}

export interface MockUpstreamOptions {
  port?: number;
  host?: string;
  /** Accept only these keys (default: any non-empty key not containing `invalid`). */
  apiKeys?: string[];
  /** Record requests (default true); the newest `maxRecorded` are kept. */
  record?: boolean;
  maxRecorded?: number;
  /** AWS key pairs the Bedrock/SageMaker/STS routes accept (default: MOCK_AWS_KEYS). */
  aws?: { keys?: MockAwsKey[] };
}

export interface MockUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Google side: service accounts the token endpoint accepts, token expiry, refusal. */
  google: GoogleMockControl;
  /** The AWS side: accepted keys (incl. STS-issued), STS call count, prompt-cache state. */
  aws: MockAwsState;
  close(): Promise<void>;
}

type Family = 'openai' | 'azure' | 'anthropic' | 'ollama' | 'gemini' | 'vertex' | 'cohere';

type MediaKind =
  | 'transcription'
  | 'translation'
  | 'speech'
  | 'image_edit'
  | 'image_variation'
  | 'moderation'
  | 'rerank';

interface Route {
  family: Family;
  /**
   * OpenAI/Ollama kind, a media kind, `messages`, `count_tokens`, the Responses API kinds, or the Google
   * method (`generateContent`, `rawPredict`…).
   */
  kind:
    | OpenAiKind
    | OllamaKind
    | MediaKind
    | 'messages'
    | 'count_tokens'
    | 'responses'
    | 'response_id'
    | string;
  /** Azure deployment name, or the model named in a Google path. */
  deployment?: string;
  vertex?: VertexRoute;
  responseId?: string;
  sub?: string;
}

const GEMINI_PATH = /\/v1(?:beta|alpha)?\/models\/([^/:]+):(\w+)$/;

const OPENAI_SUFFIX: ReadonlyArray<[string, Route['kind']]> = [
  ['/chat/completions', 'chat'],
  ['/completions', 'completion'],
  ['/embeddings', 'embedding'],
  ['/images/generations', 'image'],
  ['/audio/transcriptions', 'transcription'],
  ['/audio/translations', 'translation'],
  ['/audio/speech', 'speech'],
  ['/images/edits', 'image_edit'],
  ['/images/variations', 'image_variation'],
  ['/moderations', 'moderation'],
  ['/rerank', 'rerank'],
  ['/responses', 'responses'],
];

function route(path: string): Route | undefined {
  const vertex = vertexRoute(path);
  if (vertex) return { family: 'vertex', kind: vertex.method, deployment: vertex.model, vertex };
  const gemini = GEMINI_PATH.exec(path);
  if (gemini) return { family: 'gemini', kind: gemini[2], deployment: decodeURIComponent(gemini[1]) };
  const azureResponses = /\/openai(?:\/v1)?\/responses(?:\/([^/]+)(?:\/(input_items))?)?$/.exec(path);
  if (azureResponses) {
    return azureResponses[1]
      ? { family: 'azure', kind: 'response_id', responseId: azureResponses[1], sub: azureResponses[2] }
      : { family: 'azure', kind: 'responses' };
  }
  const azure = /^(?:.*)\/openai\/deployments\/([^/]+)(\/.+)$/.exec(path);
  if (azure) {
    const kind = OPENAI_SUFFIX.find(([s]) => azure[2] === s)?.[1];
    return kind ? { family: 'azure', kind, deployment: decodeURIComponent(azure[1]) } : undefined;
  }
  if (path.endsWith('/v1/messages/count_tokens')) return { family: 'anthropic', kind: 'count_tokens' };
  if (path.endsWith('/v2/rerank')) return { family: 'cohere', kind: 'rerank' };
  const byId = /\/responses\/([^/]+)(?:\/(input_items))?$/.exec(path);
  if (byId) return { family: 'openai', kind: 'response_id', responseId: byId[1], sub: byId[2] };
  if (path.endsWith('/v1/messages')) return { family: 'anthropic', kind: 'messages' };
  if (path === '/api/chat') return { family: 'ollama', kind: 'chat' };
  if (path === '/api/generate') return { family: 'ollama', kind: 'generate' };
  if (path === '/api/embed') return { family: 'ollama', kind: 'embed' };
  const kind = OPENAI_SUFFIX.find(([s]) => path.endsWith(s))?.[1];
  return kind ? { family: 'openai', kind } : undefined;
}

function errorBody(family: Family, status: number, message: string, sw?: Switches): Json {
  if (family === 'anthropic') return anthropicError(anthropicErrorType(status), message);
  if (family === 'cohere') return { message };
  if (family === 'ollama') return { error: message };
  if (family === 'gemini' || family === 'vertex') return googleError(status, message, sw);
  if (family === 'azure') return { error: { code: String(status), message } };
  const type =
    status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return openAiError(message, type, status === 429 ? 'rate_limit_exceeded' : null);
}

const FAIL_MESSAGES: Record<number, string> = {
  400: 'Invalid request (mock fail-400).',
  401: 'Invalid authentication (mock fail-401).',
  404: 'The model does not exist (mock fail-404).',
  429: 'Rate limit reached for requests (mock fail-429).',
  500: 'The server had an error while processing your request (mock fail-500).',
  503: 'The engine is currently overloaded (mock fail-503).',
};

/** Returns an error to send, or undefined when the credentials are acceptable. */
function checkAuth(
  family: Family,
  headers: IncomingHttpHeaders,
  query: Record<string, string>,
  keys: string[] | undefined,
  bearerValid: (h: IncomingHttpHeaders) => boolean,
): [number, Json] | undefined {
  const ok = (key: string | undefined): boolean =>
    key !== undefined && key !== '' && (keys ? keys.includes(key) : !key.includes('invalid'));
  switch (family) {
    case 'openai':
    case 'cohere': {
      const auth = headers.authorization;
      const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
      if (key === undefined || key === '') {
        return [
          401,
          openAiError(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            'invalid_request_error',
            null,
          ),
        ];
      }
      if (!ok(key)) {
        const masked = `${key.slice(0, 3)}*********${key.slice(-4)}`;
        return [
          401,
          openAiError(
            `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            'invalid_request_error',
            'invalid_api_key',
          ),
        ];
      }
      return undefined;
    }
    case 'azure': {
      if (query['api-version'] === undefined)
        return [404, { error: { code: '404', message: 'Resource not found' } }];
      const key = headers['api-key'];
      if (!ok(typeof key === 'string' ? key : undefined)) {
        return [
          401,
          {
            error: {
              code: '401',
              message:
                'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
            },
          },
        ];
      }
      return undefined;
    }
    case 'anthropic': {
      const key = headers['x-api-key'];
      if (!ok(typeof key === 'string' ? key : undefined))
        return [401, anthropicError('authentication_error', 'invalid x-api-key')];
      if (!headers['anthropic-version'])
        return [400, anthropicError('invalid_request_error', 'anthropic-version: header is required')];
      return undefined;
    }
    case 'ollama':
      return undefined;
    case 'gemini': {
      const header = headers['x-goog-api-key'];
      const key = typeof header === 'string' ? header : query.key;
      if (key === undefined || key === '') {
        return [
          403,
          googleError(
            403,
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          ),
        ];
      }
      if (!ok(key)) return [400, googleError(400, 'API key not valid. Please pass a valid API key.')];
      return undefined;
    }
    case 'vertex':
      if (bearerValid(headers)) return undefined;
      return [
        401,
        googleError(
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      ];
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const record = opts.record ?? true;
  const maxRecorded = opts.maxRecorded ?? 1000;
  const flakyCounts = new Map<string, number>();
  const google = createGoogleMock();
  let ownTokenUrl = '';
  const aws = createMockAwsState(opts.aws?.keys);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const isMultipart = contentType.startsWith('multipart/form-data');
    const raw = isMultipart ? `[multipart ${bytes.length} bytes]` : bytes.toString('utf8');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    // Benchmark fast path: fixed bytes, no JSON parsing, no recording.
    if (req.method === 'POST' && path.endsWith('/chat/completions') && !path.includes('/deployments/')) {
      const bench = benchKind(raw);
      if (bench && req.headers.authorization) {
        if (bench === 'chat') res.writeHead(200, BENCH_CHAT_HEADERS).end(BENCH_CHAT_BODY);
        else res.writeHead(200, BENCH_STREAM_HEADERS).end(BENCH_STREAM_BODY);
        return;
      }
    }
    const query = Object.fromEntries(new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
    const form = isMultipart ? await parseMultipart(bytes, contentType).catch(() => null) : null;
    const body = form
      ? {
          ...form.fields,
          files: form.files.map((f) => ({
            field: f.field,
            name: f.name,
            type: f.type,
            size: f.bytes.length,
          })),
        }
      : tryParse(raw);
    if (record) {
      requests.push({ method: req.method ?? 'GET', path, query, headers: req.headers, body, rawBody: raw });
      if (requests.length > maxRecorded) requests.shift();
    }
    if (path === '/token' && req.method === 'POST') return google.handleToken(res, raw, ownTokenUrl);
    if (
      await handleAwsAndCohereRoutes({
        req,
        res,
        path,
        query,
        rawBody: raw,
        body,
        aws,
        apiKeys: opts.apiKeys,
        flakyCounts,
      })
    )
      return;
    const r = route(path);
    const methodOk =
      req.method === 'POST' ||
      (r?.kind === 'response_id' && (req.method === 'GET' || req.method === 'DELETE'));
    if (!r || !methodOk) {
      return sendJson(
        res,
        404,
        openAiError(`Unknown mock route ${req.method} ${path}`, 'invalid_request_error', null),
      );
    }
    const authError = checkAuth(r.family, req.headers, query, opts.apiKeys, google.bearerValid);
    if (authError) return sendJson(res, authError[0], authError[1]);
    if (r.kind === 'response_id')
      return handleResponsesById(res, req.method ?? 'GET', r.responseId ?? '', r.sub, query);
    if (!isRecord(body)) {
      return sendJson(
        res,
        400,
        errorBody(r.family, 400, 'We could not parse the JSON body of your request.'),
      );
    }
    const model = r.deployment ?? String(body.model ?? '');
    const sw: Switches = parseSwitches(model);
    if (sw.hang) return; // never answered; close() destroys the socket
    if (sw.slowMs > 0) await sleep(sw.slowMs);
    let fail = sw.failStatus;
    if (sw.flaky !== undefined) {
      const seen = flakyCounts.get(model) ?? 0;
      flakyCounts.set(model, seen + 1);
      if (seen < sw.flaky) fail = 500;
    }
    if (sw.failKind !== undefined) {
      const message =
        sw.failKind === 'context'
          ? r.family === 'anthropic'
            ? 'prompt is too long: 250000 tokens > 200000 maximum'
            : "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."
          : "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.";
      return sendJson(res, 400, errorBody(r.family, 400, message));
    }
    if (fail !== undefined) {
      // Google sends no retry-after header: its delay is the RetryInfo detail in the body.
      const googleFamily = r.family === 'gemini' || r.family === 'vertex';
      const headers: Record<string, string> = fail === 429 && !googleFamily ? { 'retry-after': '0' } : {};
      return sendJson(
        res,
        fail,
        errorBody(r.family, fail, FAIL_MESSAGES[fail] ?? `Mock failure ${fail}.`, sw),
        headers,
      );
    }
    switch (r.kind) {
      case 'responses':
        return handleResponsesCreate(res, body, model, sw);
      case 'transcription':
      case 'translation':
        return handleTranscription(res, r.kind, body, form?.files ?? [], sw);
      case 'image_edit':
      case 'image_variation':
        return handleImageEdit(res, body, form?.files ?? [], model);
      case 'speech':
        return handleSpeech(res, body);
      case 'moderation':
        return handleModeration(res, body);
      case 'rerank':
        return r.family === 'cohere' ? handleCohereRerank(res, body) : handleJinaRerank(res, body, model);
      case 'count_tokens':
        return handleCountTokens(res, body);
    }
    switch (r.family) {
      case 'cohere':
        return;
      case 'openai':
      case 'azure':
        return handleOpenAi({
          res,
          body,
          kind: r.kind as OpenAiKind,
          model,
          switches: sw,
          azureModel: r.deployment === undefined ? undefined : azureGenericModel(r.deployment),
          presentedKey: presentedKey(req.headers),
        });
      case 'anthropic':
        return handleAnthropic(res, body, sw);
      case 'ollama':
        return handleOllama(res, r.kind as OllamaKind, body, sw);
      case 'gemini':
        return handleGemini(res, r.kind, body, model, sw);
      case 'vertex':
        return handleVertex(res, r.vertex as VertexRoute, body, sw);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { message: `mock upstream failure: ${String(err)}` } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  ownTokenUrl = `http://${shownHost}:${port}/token`;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    requests,
    google,
    aws,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const key = headers['api-key'];
  return typeof key === 'string' ? key : undefined;
}
