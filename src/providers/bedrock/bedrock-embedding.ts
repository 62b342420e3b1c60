/**
 * @module providers/bedrock/bedrock-embedding
 * Embeddings through InvokeModel, which Converse lacks: Amazon Titan Text Embeddings
 * (`{"inputText"}` → `{"embedding","inputTextTokenCount"}`, one text per call — a list of several is
 * refused with a clear error rather than fanned out) and Cohere Embed on Bedrock (`{"texts","input_type"}`
 * → `{"embeddings"}`, floats or by type; it reports no token count, so the texts are counted and the usage
 * flagged estimated). The answer is an OpenAI embedding list, base64-encoded when the client asked for it.
 */
import { GatewayError } from '../../errors.js';
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { embeddingList } from '../shared/embedding-list.js';
import { arr, count, isRecord, type Json, rec } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { countPromptTokens } from '../token-count.js';
import { bedrockVendor } from './bedrock-model.js';

export type BedrockEmbeddingKind = 'titan' | 'cohere';

export function embeddingKind(modelId: string): BedrockEmbeddingKind {
  const vendor = bedrockVendor(modelId);
  if (vendor === 'amazon' && /titan-embed/.test(modelId)) return 'titan';
  if (vendor === 'cohere' && /embed/.test(modelId)) return 'cohere';
  throw new GatewayError(
    'TG_ERR_UNSUPPORTED',
    `Bedrock embeddings are served for amazon.titan-embed-* and cohere.embed-* models, not "${modelId}".`,
    { param: 'model' },
  );
}

function inputs(body: Json): string[] {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input as string[];
  throw new GatewayError(
    'TG_ERR_BAD_REQUEST',
    'Bedrock embeddings take `input` as a string or a list of strings.',
    {
      param: 'input',
    },
  );
}

/** The InvokeModel body for an OpenAI embeddings body. */
export function embeddingBody(kind: BedrockEmbeddingKind, body: Json): Json {
  const texts = inputs(body);
  if (kind === 'titan') {
    if (texts.length !== 1) {
      throw new GatewayError(
        'TG_ERR_BAD_REQUEST',
        `Amazon Titan embeddings take one text per call; this request has ${texts.length}. Send one input per request.`,
        { param: 'input' },
      );
    }
    const out: Json = { inputText: texts[0] };
    if (typeof body.dimensions === 'number') out.dimensions = body.dimensions;
    if (typeof body.normalize === 'boolean') out.normalize = body.normalize;
    return out;
  }
  const out: Json = {
    texts,
    input_type: typeof body.input_type === 'string' ? body.input_type : 'search_document',
  };
  if (typeof body.truncate === 'string') out.truncate = body.truncate;
  if (Array.isArray(body.embedding_types)) out.embedding_types = body.embedding_types;
  return out;
}

/** Float vectors of an InvokeModel embedding answer. */
function vectors(kind: BedrockEmbeddingKind, res: Json): number[][] {
  if (kind === 'titan') return Array.isArray(res.embedding) ? [res.embedding as number[]] : [];
  const e = res.embeddings;
  if (Array.isArray(e)) return e as number[][];
  const byType = rec(e);
  return arr(byType.float ?? byType.floats) as number[][];
}

/** Titan reports its input tokens; Cohere on Bedrock does not, so the texts are counted (flagged estimated). */
export function embeddingUsage(kind: BedrockEmbeddingKind, res: Json, body: Json, model: string): Usage {
  const usage = emptyUsage();
  if (kind === 'titan' && typeof res.inputTextTokenCount === 'number') {
    usage.inputTokens = count(res.inputTextTokenCount);
    return usage;
  }
  usage.inputTokens = countPromptTokens({ input: body.input }, model);
  usage.estimated = true;
  return usage;
}

export function embeddingToOpenAi(
  kind: BedrockEmbeddingKind,
  res: unknown,
  model: string,
  body: Json,
): {
  body: Json;
  usage: Usage;
  rawUsage: unknown;
} {
  const r = isRecord(res) ? res : {};
  const usage = embeddingUsage(kind, r, body, model);
  const out = embeddingList(vectors(kind, r), model, body.encoding_format);
  out.usage = usageToOpenAi(usage);
  return {
    body: out,
    usage,
    rawUsage: kind === 'titan' ? { inputTextTokenCount: r.inputTextTokenCount ?? null } : null,
  };
}
