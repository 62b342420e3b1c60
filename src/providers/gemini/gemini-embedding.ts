/**
 * @module providers/gemini/gemini-embedding
 * OpenAI embeddings ⇄ the Gemini API: one string → `:embedContent`, a list → `:batchEmbedContents`
 * (`dimensions` → outputDimensionality, LiteLLM's `task_type` → taskType). Google reports no token usage
 * for these calls unless the response carries `usageMetadata`; without it the usage is null and the gateway
 * counts the input with its tokenizer (flagged estimated). The response body shows that same count.
 */
import { GatewayError } from '../../errors.js';
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { arr, count, isRecord, type Json, rec } from '../shared/json.js';
import { countPromptTokens } from '../token-count.js';
import type { CallInput } from '../types.js';

/** The input texts of an OpenAI embeddings body (token-id arrays are not something Gemini accepts). */
export function embeddingInputs(body: Json): string[] {
  const input = body.input;
  const list = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
  if (list.length === 0 || !list.every((x) => typeof x === 'string')) {
    throw new GatewayError(
      'TG_ERR_BAD_REQUEST',
      'Field "input" must be a non-empty string or list of strings for Gemini embeddings (token arrays are not supported).',
      { param: 'input' },
    );
  }
  return list as string[];
}

function options(body: Json): Json {
  const out: Json = {};
  if (typeof body.dimensions === 'number') out.outputDimensionality = body.dimensions;
  const task = body.task_type ?? body.taskType;
  if (typeof task === 'string') out.taskType = task;
  if (typeof body.title === 'string') out.title = body.title;
  return out;
}

/** `{method, body}`: embedContent for one string, batchEmbedContents for a list. */
export function toGeminiEmbedding(body: Json, model: string): { method: string; body: Json } {
  const inputs = embeddingInputs(body);
  const opts = options(body);
  if (typeof body.input === 'string') {
    return { method: 'embedContent', body: { content: { parts: [{ text: inputs[0] }] }, ...opts } };
  }
  return {
    method: 'batchEmbedContents',
    body: {
      requests: inputs.map((text) => ({ model: `models/${model}`, content: { parts: [{ text }] }, ...opts })),
    },
  };
}

/**
 * A vector as the client asked for it: numbers, or with `encoding_format: "base64"` (the openai SDK's
 * default) the float32 little-endian bytes in base64, as OpenAI sends them.
 */
export function encodeEmbedding(values: unknown[], body: Json): number[] | string {
  const nums = values.map((v) => (typeof v === 'number' ? v : 0));
  if (body.encoding_format !== 'base64') return nums;
  const view = new DataView(new ArrayBuffer(nums.length * 4));
  for (let i = 0; i < nums.length; i++) view.setFloat32(i * 4, nums[i], true);
  return Buffer.from(view.buffer).toString('base64');
}

/** Reported usage of an embed response (`usageMetadata.promptTokenCount`), or null. */
function reportedUsage(json: Json): Usage | null {
  const u = json.usageMetadata;
  if (!isRecord(u) || typeof u.promptTokenCount !== 'number') return null;
  const usage = emptyUsage();
  usage.inputTokens = count(u.promptTokenCount);
  return usage;
}

/** embedContent / batchEmbedContents response → OpenAI embeddings list. */
export function geminiToEmbedding(
  json: Json,
  input: CallInput,
): { body: Json; usage: Usage | null; rawUsage: unknown } {
  const vectors = isRecord(json.embedding) ? [json.embedding] : arr(json.embeddings);
  const data = vectors.map((e, index) => ({
    object: 'embedding',
    index,
    embedding: encodeEmbedding(arr(rec(e).values), input.body),
  }));
  const usage = reportedUsage(json);
  // Not reported: the same count the gateway will bill (countPromptTokens over the client's body).
  const shown = usage?.inputTokens ?? countPromptTokens(input.body, input.deployment.upstreamModel);
  return {
    body: {
      object: 'list',
      data,
      model: input.deployment.upstreamModel,
      usage: { prompt_tokens: shown, total_tokens: shown },
    },
    usage,
    rawUsage: json.usageMetadata ?? null,
  };
}
