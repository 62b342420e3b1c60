/**
 * @module mock-upstream/gemini-routes
 * Google's Gemini wire format, served on AI Studio paths (`/v1beta/models/{m}:{method}`) and on Vertex's
 * `publishers/google` paths alike: generateContent, streamGenerateContent (`alt=sse`: `data: {…}\r\n\r\n`
 * events, each a GenerateContentResponse, usage on every event and final on the last), embedContent,
 * batchEmbedContents and Vertex's `:predict` for embedding models. Usage follows Google's semantics:
 * promptTokenCount includes cachedContentTokenCount; candidatesTokenCount excludes thoughtsTokenCount.
 * Gemini-only switches: `blocked` (the prompt is blocked for safety), `malformed` (a stream event that is
 * not JSON after the first chunk); `stream-error` sends a Google error object mid-stream.
 */
import type { ServerResponse } from 'node:http';
import { fakeEmbedding, MOCK_EMBEDDING_DIMS } from '../providers/mock/mock-content.js';
import { arr, type Json, rec } from '../providers/shared/json.js';
import { countTextTokens } from '../providers/token-count.js';
import { sendJson, sendStream } from './http-util.js';
import { planReply, type Reply } from './reply.js';
import type { Switches } from './switches.js';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** A Google API error body; a 429 carries RetryInfo (`retry-delay-<s>` switch, default 0s). */
export function googleError(status: number, message: string, sw?: Switches): Json {
  const error: Json = { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' };
  if (status === 429) {
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${sw?.retryDelaySeconds ?? 0}s` },
    ];
  }
  return { error };
}

function partsText(parts: unknown): string {
  let t = '';
  for (const p of arr(parts)) if (typeof rec(p).text === 'string') t += rec(p).text;
  return t;
}

/** The Gemini request as the OpenAI-shaped body planReply understands (turns, tools, forced tool). */
function asOpenAi(body: Json): Json {
  const messages: Json[] = [];
  const sys = partsText(rec(body.systemInstruction).parts);
  if (sys !== '') messages.push({ role: 'system', content: sys });
  for (const c of arr(body.contents)) {
    const role = rec(c).role === 'model' ? 'assistant' : 'user';
    messages.push({ role, content: partsText(rec(c).parts) });
  }
  const tools = arr(body.tools).flatMap((t) =>
    arr(rec(t).functionDeclarations).map((f) => ({ type: 'function', function: rec(f) })),
  );
  const fcc = rec(rec(body.toolConfig).functionCallingConfig);
  const allowed = arr(fcc.allowedFunctionNames);
  let toolChoice: unknown;
  if (fcc.mode === 'ANY')
    toolChoice =
      typeof allowed[0] === 'string' ? { type: 'function', function: { name: allowed[0] } } : 'required';
  return { messages, tools, tool_choice: toolChoice };
}

function usageMetadata(r: Reply, final: boolean): Json {
  const prompt = r.freshPromptTokens + r.cacheRead;
  const candidates = r.completionTokens - r.reasoning;
  const u: Json = { promptTokenCount: prompt };
  if (final) u.candidatesTokenCount = candidates;
  if (r.cacheRead > 0) u.cachedContentTokenCount = r.cacheRead;
  if (final && r.reasoning > 0) u.thoughtsTokenCount = r.reasoning;
  u.totalTokenCount = prompt + (final ? r.completionTokens : 0);
  u.promptTokensDetails = [{ modality: 'TEXT', tokenCount: prompt }];
  if (r.cacheRead > 0) u.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: r.cacheRead }];
  return u;
}

let counter = 0;
const responseId = () => `mockResp${(++counter).toString(36).padStart(10, '0')}`;
const SIGNATURE = Buffer.from('mock-thought-signature').toString('base64');

function allParts(r: Reply): Json[] {
  const parts: Json[] = [];
  if (r.reasoning > 0) parts.push({ text: 'Let me think about this.', thought: true });
  parts.push({ text: r.text });
  if (r.toolCall)
    parts.push({
      functionCall: { name: r.toolCall.name, args: r.toolCall.args },
      thoughtSignature: SIGNATURE,
    });
  return parts;
}

function blockedBody(r: Reply, model: string): Json {
  return {
    promptFeedback: {
      blockReason: 'SAFETY',
      safetyRatings: [
        { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true },
        { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
      ],
    },
    usageMetadata: { promptTokenCount: r.freshPromptTokens, totalTokenCount: r.freshPromptTokens },
    modelVersion: model,
    responseId: responseId(),
  };
}

function sse(data: Json): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}

function streamEvents(r: Reply, model: string, sw: Switches): string[] {
  const id = responseId();
  const event = (parts: Json[], final: boolean): string => {
    const candidate: Json = { content: { parts, role: 'model' }, index: 0 };
    if (final) candidate.finishReason = 'STOP';
    const data: Json = { candidates: [candidate], modelVersion: model, responseId: id };
    if (!sw.noUsage) data.usageMetadata = usageMetadata(r, final);
    return sse(data);
  };
  const out: string[] = [];
  if (r.reasoning > 0) out.push(event([{ text: 'Let me think about this.', thought: true }], false));
  r.pieces.forEach((p, i) => {
    const last = i === r.pieces.length - 1 && !r.toolCall;
    out.push(event([{ text: p }], last));
    if (i === 0 && sw.streamError)
      out.push(sse(googleError(503, 'The model is overloaded. Please try again later.')));
    if (i === 0 && sw.malformed) out.push('data: {"candidates": [{"content": \r\n\r\n');
  });
  if (r.toolCall)
    out.push(
      event(
        [{ functionCall: { name: r.toolCall.name, args: r.toolCall.args }, thoughtSignature: SIGNATURE }],
        true,
      ),
    );
  return out;
}

async function generate(res: ServerResponse, body: Json, model: string, sw: Switches, stream: boolean) {
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    return sendJson(
      res,
      400,
      googleError(400, '* GenerateContentRequest.contents: contents is not specified'),
    );
  }
  const known = new Set([
    'contents',
    'systemInstruction',
    'generationConfig',
    'tools',
    'toolConfig',
    'safetySettings',
    'cachedContent',
    'labels',
  ]);
  for (const k of Object.keys(body)) {
    if (!known.has(k))
      return sendJson(
        res,
        400,
        googleError(400, `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`),
      );
  }
  const reply = planReply(asOpenAi(body), model, sw, 'unused_');
  if (sw.blocked) {
    const b = blockedBody(reply, model);
    if (!stream) return sendJson(res, 200, b);
    return sendStream(res, { contentType: 'text/event-stream', chunks: [sse(b)], delayMs: 0 });
  }
  if (!stream) {
    const data: Json = {
      candidates: [{ content: { parts: allParts(reply), role: 'model' }, finishReason: 'STOP', index: 0 }],
      modelVersion: model,
      responseId: responseId(),
    };
    if (!sw.noUsage) data.usageMetadata = usageMetadata(reply, true);
    return sendJson(res, 200, data);
  }
  await sendStream(res, {
    contentType: 'text/event-stream',
    chunks: streamEvents(reply, model, sw),
    delayMs: sw.streamSlowMs,
    cutAfter: sw.cutAfter,
  });
}

function dims(v: unknown): number {
  return typeof v === 'number' && v > 0 && v <= 4096 ? v : MOCK_EMBEDDING_DIMS;
}

function embed(res: ServerResponse, method: string, body: Json) {
  if (method === 'embedContent') {
    const text = partsText(rec(body.content).parts);
    return sendJson(res, 200, {
      embedding: { values: fakeEmbedding(text, dims(body.outputDimensionality)) },
    });
  }
  const requests = arr(body.requests).map(rec);
  if (requests.length === 0)
    return sendJson(res, 400, googleError(400, '* BatchEmbedContentsRequest.requests: requests is required'));
  return sendJson(res, 200, {
    embeddings: requests.map((r) => ({
      values: fakeEmbedding(partsText(rec(r.content).parts), dims(r.outputDimensionality)),
    })),
  });
}

/** Vertex `:predict` for text-embedding-* / gemini-embedding-*: token counts per instance. */
function predict(res: ServerResponse, body: Json, model: string) {
  const instances = arr(body.instances).map(rec);
  if (instances.length === 0) return sendJson(res, 400, googleError(400, 'instances is required'));
  const size = dims(rec(body.parameters).outputDimensionality);
  let chars = 0;
  const predictions = instances.map((i) => {
    const text = typeof i.content === 'string' ? i.content : '';
    chars += text.length;
    return {
      embeddings: {
        statistics: { truncated: false, token_count: countTextTokens(text, model) },
        values: fakeEmbedding(text, size),
      },
    };
  });
  return sendJson(res, 200, { predictions, metadata: { billableCharacterCount: chars } });
}

/** One Gemini method call (the model name is taken from the path). */
export async function handleGemini(
  res: ServerResponse,
  method: string,
  body: Json,
  model: string,
  sw: Switches,
): Promise<void> {
  switch (method) {
    case 'generateContent':
      return generate(res, body, model, sw, false);
    case 'streamGenerateContent':
      return generate(res, body, model, sw, true);
    case 'embedContent':
    case 'batchEmbedContents':
      return embed(res, method, body);
    case 'predict':
      return predict(res, body, model);
    case 'countTokens':
      return sendJson(res, 200, { totalTokens: planReply(asOpenAi(body), model, sw, 'x').freshPromptTokens });
    default:
      return sendJson(res, 404, googleError(404, `Method ${method} not found.`));
  }
}
