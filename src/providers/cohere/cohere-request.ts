/**
 * @module providers/cohere/cohere-request
 * OpenAI bodies → Cohere v2 bodies. Chat (POST /v2/chat) takes OpenAI-style messages, tools and tool
 * calls nearly as they are; the differences mapped here are `top_p` → `p`, `top_k` → `k`, `stop` →
 * `stop_sequences`, `max_completion_tokens` → `max_tokens`, `tool_choice` → `REQUIRED`/`NONE` (a named
 * function becomes REQUIRED with only that tool offered), `response_format` json_schema → Cohere's
 * `{type: json_object, json_schema}`, message content parts to text / image_url parts. OpenAI-only fields
 * Cohere would reject are dropped. Embed (POST /v2/embed): `input` → `texts`, `input_type` defaulting to
 * `search_document` (LiteLLM's default), float vectors.
 */
import { GatewayError } from '../../errors.js';
import { isRecord, type Json } from '../shared/json.js';
import { contentText } from '../shared/messages.js';

const DROPPED = new Set([
  'n',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'stream_options',
  'parallel_tool_calls',
  'modalities',
  'audio',
  'prediction',
  'store',
  'service_tier',
  'metadata',
  'functions',
  'function_call',
  'reasoning_effort',
  'web_search_options',
  'verbosity',
  'safety_identifier',
  'prompt_cache_key',
]);

function content(c: unknown): unknown {
  if (typeof c === 'string' || !Array.isArray(c)) return typeof c === 'string' ? c : contentText(c);
  const parts: Json[] = [];
  for (const p of c) {
    if (typeof p === 'string') parts.push({ type: 'text', text: p });
    else if (isRecord(p) && p.type === 'text' && typeof p.text === 'string')
      parts.push({ type: 'text', text: p.text });
    else if (isRecord(p) && p.type === 'image_url') parts.push({ type: 'image_url', image_url: p.image_url });
    else if (isRecord(p) && p.type === 'document') parts.push(p);
  }
  return parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('') : parts;
}

function message(m: Json): Json {
  const role = m.role === 'developer' ? 'system' : m.role;
  if (role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: content(m.content) };
  const out: Json = { role };
  if (m.content !== undefined && m.content !== null) out.content = content(m.content);
  if (role === 'assistant') {
    if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) out.tool_calls = m.tool_calls;
    if (typeof m.tool_plan === 'string') out.tool_plan = m.tool_plan;
    if (out.content === '' && out.tool_calls) delete out.content;
  }
  return out;
}

function toolName(choice: unknown): string | undefined {
  if (!isRecord(choice)) return undefined;
  const name = isRecord(choice.function) ? choice.function.name : choice.name;
  return typeof name === 'string' ? name : undefined;
}

/** The /v2/chat body for an OpenAI chat body (`model` is the upstream model). */
export function chatToCohere(body: Json, model: string, stream: boolean): Json {
  const out: Json = {
    model,
    messages: (Array.isArray(body.messages) ? body.messages : []).filter(isRecord).map(message),
  };
  if (stream) out.stream = true;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') out.max_tokens = maxTokens;
  if (body.stop !== undefined && body.stop !== null)
    out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  if (body.top_p !== undefined) out.p = body.top_p;
  if (body.top_k !== undefined) out.k = body.top_k;
  let tools = Array.isArray(body.tools) ? body.tools : undefined;
  const forced = toolName(body.tool_choice);
  if (tools && forced) tools = tools.filter((t) => isRecord(t) && toolName(t) === forced);
  if (tools && tools.length > 0) {
    out.tools = tools;
    if (body.tool_choice === 'required' || forced) out.tool_choice = 'REQUIRED';
    else if (body.tool_choice === 'none') out.tool_choice = 'NONE';
  }
  const rf = body.response_format;
  if (isRecord(rf) && rf.type !== 'text') {
    out.response_format = isRecord(rf.json_schema)
      ? { type: 'json_object', json_schema: rf.json_schema.schema }
      : { type: 'json_object' };
  }
  const mapped = new Set([
    'model',
    'messages',
    'stream',
    'max_tokens',
    'max_completion_tokens',
    'stop',
    'top_p',
    'top_k',
    'tools',
    'tool_choice',
    'response_format',
  ]);
  for (const k in body) {
    if (body[k] === undefined || mapped.has(k) || DROPPED.has(k)) continue;
    out[k] = body[k];
  }
  return out;
}

/** The /v2/embed body for an OpenAI embeddings body. */
export function embedToCohere(body: Json, model: string): Json {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) {
    throw new GatewayError(
      'TG_ERR_BAD_REQUEST',
      'Cohere embeddings take `input` as a string or a list of strings.',
      {
        param: 'input',
      },
    );
  }
  const out: Json = {
    model,
    texts,
    input_type: typeof body.input_type === 'string' ? body.input_type : 'search_document',
    embedding_types: ['float'],
  };
  if (typeof body.dimensions === 'number') out.output_dimension = body.dimensions;
  if (typeof body.truncate === 'string') out.truncate = body.truncate;
  return out;
}
