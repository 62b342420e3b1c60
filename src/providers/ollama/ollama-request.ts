/**
 * @module providers/ollama/ollama-request
 * OpenAI bodies → Ollama bodies: `/api/chat` (messages with base64 `images`, tools, tool calls
 * with object arguments), `/api/generate` (prompt flattened from messages), `/api/embed`.
 * Sampling fields go into `options`; `max_tokens` → `num_predict`; `response_format` → `format`.
 * Ollama streams by default, so `stream` is always set explicitly.
 */
import { isRecord, type Json } from '../shared/json.js';
import { contentText, messagesToPrompt } from '../shared/messages.js';

/** OpenAI field → Ollama `options` field. */
const OPTION_FIELDS: Record<string, string> = {
  temperature: 'temperature',
  top_p: 'top_p',
  top_k: 'top_k',
  seed: 'seed',
  frequency_penalty: 'frequency_penalty',
  presence_penalty: 'presence_penalty',
  repeat_penalty: 'repeat_penalty',
  num_ctx: 'num_ctx',
  max_tokens: 'num_predict',
  max_completion_tokens: 'num_predict',
  num_predict: 'num_predict',
  min_p: 'min_p',
};

/** OpenAI fields with no Ollama meaning (dropped rather than forwarded). */
const DROPPED = new Set([
  'model',
  'messages',
  'prompt',
  'stream',
  'stream_options',
  'stop',
  'response_format',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'n',
  'user',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'options',
]);

function commonFields(body: Json, model: string, stream: boolean): Json {
  const options: Json = isRecord(body.options) ? { ...body.options } : {};
  const out: Json = { model };
  for (const key in body) {
    const opt = OPTION_FIELDS[key];
    if (opt !== undefined) {
      if (body[key] !== undefined && body[key] !== null) options[opt] = body[key];
    } else if (!DROPPED.has(key) && body[key] !== undefined) {
      out[key] = body[key]; // Ollama-native fields (format, keep_alive, think, suffix, raw…)
    }
  }
  if (body.stop !== undefined && body.stop !== null)
    options.stop = Array.isArray(body.stop) ? body.stop : [body.stop];
  const rf = body.response_format;
  if (isRecord(rf)) {
    if (rf.type === 'json_object') out.format = 'json';
    else if (rf.type === 'json_schema' && isRecord(rf.json_schema)) out.format = rf.json_schema.schema;
  }
  if (Object.keys(options).length > 0) out.options = options;
  out.stream = stream;
  return out;
}

/** Base64 payloads of data-URL image parts (Ollama takes bare base64; remote URLs are not supported). */
function images(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const part of content) {
    if (!isRecord(part) || part.type !== 'image_url') continue;
    const iu = part.image_url;
    const url = typeof iu === 'string' ? iu : isRecord(iu) ? iu.url : undefined;
    const m = typeof url === 'string' ? /^data:[^;,]+;base64,(.*)$/s.exec(url) : null;
    if (m) out.push(m[1]);
  }
  return out;
}

function toolCalls(calls: unknown): Json[] | undefined {
  if (!Array.isArray(calls)) return undefined;
  return calls.filter(isRecord).map((tc) => {
    const fn = isRecord(tc.function) ? tc.function : {};
    let args: unknown = fn.arguments;
    if (typeof args === 'string') {
      try {
        args = JSON.parse(args);
      } catch {
        args = {};
      }
    }
    return { function: { name: fn.name, arguments: isRecord(args) ? args : {} } };
  });
}

function chatMessages(messages: unknown): Json[] {
  const out: Json[] = [];
  for (const m of Array.isArray(messages) ? messages : []) {
    if (!isRecord(m)) continue;
    const role = m.role === 'developer' ? 'system' : m.role === 'function' ? 'tool' : m.role;
    const msg: Json = { role, content: contentText(m.content) };
    const imgs = images(m.content);
    if (imgs.length > 0) msg.images = imgs;
    const calls = toolCalls(m.tool_calls);
    if (calls && calls.length > 0) msg.tool_calls = calls;
    if (role === 'tool' && typeof m.name === 'string') msg.tool_name = m.name;
    out.push(msg);
  }
  return out;
}

/** `/api/chat` body. */
export function toOllamaChat(body: Json, model: string, stream: boolean): Json {
  const out = commonFields(body, model, stream);
  out.messages = chatMessages(body.messages);
  if (Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none')
    out.tools = body.tools;
  return out;
}

/** `/api/generate` body, from chat messages or a completion prompt. */
export function toOllamaGenerate(body: Json, model: string, stream: boolean): Json {
  const out = commonFields(body, model, stream);
  if (body.messages !== undefined) {
    const { system, prompt } = messagesToPrompt(body.messages);
    out.prompt = prompt;
    if (system !== undefined) out.system = system;
    const imgs = Array.isArray(body.messages)
      ? body.messages.flatMap((m) => (isRecord(m) ? images(m.content) : []))
      : [];
    if (imgs.length > 0) out.images = imgs;
  } else {
    const p = body.prompt;
    out.prompt = Array.isArray(p)
      ? p.filter((x) => typeof x === 'string').join('\n')
      : typeof p === 'string'
        ? p
        : '';
  }
  return out;
}

/** `/api/embed` body. */
export function toOllamaEmbed(body: Json, model: string): Json {
  const out: Json = { model, input: body.input };
  if (body.dimensions !== undefined) out.dimensions = body.dimensions;
  if (body.truncate !== undefined) out.truncate = body.truncate;
  if (body.keep_alive !== undefined) out.keep_alive = body.keep_alive;
  if (isRecord(body.options)) out.options = body.options;
  return out;
}
