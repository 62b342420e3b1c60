/**
 * @module providers/vertex/vertex-embedding
 * OpenAI embeddings ⇄ Vertex `:predict` for Google's embedding models (text-embedding-005,
 * text-multilingual-embedding-002, gemini-embedding-001): one instance per input (`task_type`/`title` per
 * instance, `dimensions` → parameters.outputDimensionality). Vertex reports each input's
 * `statistics.token_count`; their sum is the (reported, not estimated) input usage.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { embeddingInputs, encodeEmbedding } from '../gemini/gemini-embedding.js';
import { arr, count, isRecord, type Json, rec } from '../shared/json.js';
import { countPromptTokens } from '../token-count.js';
import type { CallInput } from '../types.js';

export function toVertexPredict(body: Json): Json {
  const task = body.task_type ?? body.taskType;
  const instances = embeddingInputs(body).map((content) => {
    const i: Json = { content };
    if (typeof task === 'string') i.task_type = task;
    if (typeof body.title === 'string') i.title = body.title;
    return i;
  });
  const out: Json = { instances };
  if (typeof body.dimensions === 'number') out.parameters = { outputDimensionality: body.dimensions };
  return out;
}

export function vertexPredictToEmbedding(
  json: Json,
  input: CallInput,
): { body: Json; usage: Usage | null; rawUsage: unknown } {
  const predictions = arr(json.predictions).map(rec);
  const stats = predictions.map((p) => rec(rec(p.embeddings).statistics));
  const reported = stats.length > 0 && stats.every((s) => typeof s.token_count === 'number');
  const tokens = stats.reduce((n, s) => n + count(s.token_count), 0);
  let usage: Usage | null = null;
  if (reported) {
    usage = emptyUsage();
    usage.inputTokens = tokens;
  }
  // Not reported: show the count the gateway will bill (its tokenizer over the client's body).
  const shown = usage ? tokens : countPromptTokens(input.body, input.deployment.upstreamModel);
  return {
    body: {
      object: 'list',
      data: predictions.map((p, index) => ({
        object: 'embedding',
        index,
        embedding: encodeEmbedding(arr(rec(p.embeddings).values), input.body),
      })),
      model: input.deployment.upstreamModel,
      usage: { prompt_tokens: shown, total_tokens: shown },
    },
    usage,
    rawUsage: reported
      ? { statistics: stats, ...(isRecord(json.metadata) ? { metadata: json.metadata } : {}) }
      : null,
  };
}
