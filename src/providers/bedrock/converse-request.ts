/**
 * @module providers/bedrock/converse-request
 * OpenAI chat body → Bedrock Converse body (API_runtime_Converse): system/developer messages to `system`,
 * content parts to text / image (data URL bytes or s3:// location) / document blocks, tool calls and tool
 * results to toolUse / toolResult blocks (tool results ride in user turns), consecutive same-role turns
 * merged (Converse wants them alternating), `cache_control` to a cachePoint after the block, sampling to
 * inferenceConfig, tools / tool_choice to toolConfig, `response_format` to a forced JSON tool (as LiteLLM
 * does), Anthropic thinking and top_k to additionalModelRequestFields. OpenAI-only fields Converse would
 * reject are dropped; other unknown fields go to additionalModelRequestFields (LiteLLM's behaviour).
 * Remote http(s) image URLs are refused: the gateway does not fetch client-supplied URLs.
 */
import { GatewayError } from '../../errors.js';
import { isRecord, type Json } from '../shared/json.js';
import { bedrockVendor } from './bedrock-model.js';

/** OpenAI fields with no Converse equivalent. */
const DROPPED = new Set([
  'n',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'user',
  'stream',
  'stream_options',
  'modalities',
  'audio',
  'prediction',
  'store',
  'service_tier',
  'metadata',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'web_search_options',
  'verbosity',
  'safety_identifier',
  'prompt_cache_key',
  'drop_params',
]);

/** Fields mapped below. */
const MAPPED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'tools',
  'tool_choice',
  'response_format',
  'reasoning_effort',
  'thinking',
]);

/** Converse top-level fields a client may send as they are. */
const NATIVE = new Set([
  'guardrailConfig',
  'performanceConfig',
  'requestMetadata',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'additionalModelRequestFields',
  'serviceTier',
]);

/** `reasoning_effort` → Claude thinking budget (tokens), as for the Anthropic family. */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 2048, high: 4096 };

const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const DOCUMENT_FORMATS: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

/** The JSON-mode tool name when response_format gives none (LiteLLM's). */
export const JSON_TOOL_NAME = 'json_tool_call';

type Block = Json;

function badPart(message: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_REQUEST', message, { param: 'messages' });
}

function dataUrl(url: string): { mime: string; data: string } | undefined {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { mime: m[1].toLowerCase(), data: m[2] } : undefined;
}

function imageBlock(part: Json): Block {
  const iu = part.image_url;
  const url = typeof iu === 'string' ? iu : isRecord(iu) && typeof iu.url === 'string' ? iu.url : undefined;
  if (url === undefined) throw badPart('An image_url part has no url.');
  const d = dataUrl(url);
  if (d) {
    const format = IMAGE_FORMATS[d.mime];
    if (!format) throw badPart(`Bedrock Converse takes png, jpeg, gif or webp images (got ${d.mime}).`);
    return { image: { format, source: { bytes: d.data } } };
  }
  if (url.startsWith('s3://')) {
    const ext = (/\.([a-z0-9]+)$/i.exec(url)?.[1] ?? '').toLowerCase();
    const format = ext === 'jpg' ? 'jpeg' : ext;
    if (!Object.values(IMAGE_FORMATS).includes(format))
      throw badPart(`Cannot tell the image format of ${url}: use a .png, .jpeg, .gif or .webp key.`);
    return { image: { format, source: { s3Location: { uri: url } } } };
  }
  throw badPart(
    'Bedrock Converse takes images as base64 data URLs (data:image/png;base64,…) or s3:// locations; the gateway does not download remote image URLs.',
  );
}

function documentBlock(part: Json, n: number): Block {
  const file = isRecord(part.file) ? part.file : {};
  const d = typeof file.file_data === 'string' ? dataUrl(file.file_data) : undefined;
  const format = d ? DOCUMENT_FORMATS[d.mime] : undefined;
  if (!d || !format)
    throw badPart(
      'Bedrock Converse takes files as base64 data URLs of pdf, csv, doc(x), xls(x), html, txt or md.',
    );
  return { document: { format, name: `document-${n}`, source: { bytes: d.data } } };
}

const CACHE_POINT: Block = { cachePoint: { type: 'default' } };

/** OpenAI content (string | parts) → Converse content blocks. `docs` numbers document names. */
function contentBlocks(content: unknown, docs: { n: number }): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const out: Block[] = [];
  for (const part of content) {
    if (typeof part === 'string') {
      if (part !== '') out.push({ text: part });
      continue;
    }
    if (!isRecord(part)) continue;
    if (part.type === 'text') {
      if (typeof part.text === 'string' && part.text !== '') out.push({ text: part.text });
    } else if (part.type === 'image_url') out.push(imageBlock(part));
    else if (part.type === 'file') out.push(documentBlock(part, ++docs.n));
    else throw badPart(`Content parts of type "${String(part.type)}" are not supported by Bedrock Converse.`);
    if (part.cache_control !== undefined) out.push(CACHE_POINT);
  }
  return out;
}

function parseArguments(args: unknown): Json {
  if (isRecord(args)) return args;
  if (typeof args !== 'string' || args === '') return {};
  try {
    const v = JSON.parse(args);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

function assistantBlocks(m: Json, docs: { n: number }): Block[] {
  const blocks: Block[] = [];
  if (Array.isArray(m.thinking_blocks)) {
    for (const t of m.thinking_blocks) {
      if (isRecord(t) && typeof t.thinking === 'string')
        blocks.push({ reasoningContent: { reasoningText: { text: t.thinking, signature: t.signature } } });
    }
  }
  blocks.push(...contentBlocks(m.content, docs));
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (!isRecord(tc)) continue;
      const fn = isRecord(tc.function) ? tc.function : {};
      blocks.push({ toolUse: { toolUseId: tc.id, name: fn.name, input: parseArguments(fn.arguments) } });
    }
  }
  return blocks;
}

function toolResultBlock(m: Json, docs: { n: number }): Block {
  const content =
    typeof m.content === 'string'
      ? m.content === ''
        ? []
        : [{ text: m.content }]
      : contentBlocks(m.content, docs);
  return { toolResult: { toolUseId: m.tool_call_id, content } };
}

export interface ConvertedMessages {
  system: Block[];
  messages: Json[];
  /** Tool names used in the conversation (toolUse blocks), for a toolConfig when none was given. */
  usedTools: Set<string>;
}

export function convertMessages(messages: unknown): ConvertedMessages {
  const system: Block[] = [];
  const out: { role: 'user' | 'assistant'; content: Block[] }[] = [];
  const usedTools = new Set<string>();
  const docs = { n: 0 };
  for (const m of Array.isArray(messages) ? messages : []) {
    if (!isRecord(m)) continue;
    if (m.role === 'system' || m.role === 'developer') {
      system.push(...contentBlocks(m.content, docs));
      if (m.cache_control !== undefined && system.length > 0) system.push(CACHE_POINT);
      continue;
    }
    let role: 'user' | 'assistant' = 'user';
    let blocks: Block[];
    if (m.role === 'assistant') {
      role = 'assistant';
      blocks = assistantBlocks(m, docs);
      for (const b of blocks)
        if (isRecord(b.toolUse) && typeof b.toolUse.name === 'string') usedTools.add(b.toolUse.name);
    } else if (m.role === 'tool' || m.role === 'function') blocks = [toolResultBlock(m, docs)];
    else blocks = contentBlocks(m.content, docs);
    if (m.cache_control !== undefined && blocks.length > 0) blocks.push(CACHE_POINT);
    if (blocks.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return { system, messages: out, usedTools };
}

function toolSpecs(tools: unknown): Block[] {
  if (!Array.isArray(tools)) return [];
  const out: Block[] = [];
  for (const t of tools) {
    if (!isRecord(t)) continue;
    if (isRecord(t.toolSpec) || isRecord(t.cachePoint)) {
      out.push(t); // already in Converse form
      continue;
    }
    const fn = isRecord(t.function) ? t.function : t;
    const spec: Json = {
      name: fn.name,
      inputSchema: { json: isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } },
    };
    if (typeof fn.description === 'string' && fn.description !== '') spec.description = fn.description;
    out.push({ toolSpec: spec });
    if (t.cache_control !== undefined) out.push(CACHE_POINT);
  }
  return out;
}

function toolChoice(choice: unknown): Json | undefined | null {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (choice === 'none') return null;
  if (isRecord(choice)) {
    const name = isRecord(choice.function) ? choice.function.name : choice.name;
    if (typeof name === 'string') return { tool: { name } };
    if (isRecord(choice.any) || isRecord(choice.auto) || isRecord(choice.tool)) return choice;
  }
  return undefined;
}

/** The JSON-mode tool for a response_format, or undefined when the format is plain text. */
export function jsonModeTool(responseFormat: unknown): { name: string; spec: Block } | undefined {
  if (!isRecord(responseFormat) || responseFormat.type === 'text' || responseFormat.type === undefined)
    return undefined;
  let schema: unknown;
  let name = JSON_TOOL_NAME;
  let description: string | undefined;
  if (isRecord(responseFormat.json_schema)) {
    schema = responseFormat.json_schema.schema;
    if (typeof responseFormat.json_schema.name === 'string') name = responseFormat.json_schema.name;
    if (typeof responseFormat.json_schema.description === 'string')
      description = responseFormat.json_schema.description;
  } else if (isRecord(responseFormat.response_schema)) schema = responseFormat.response_schema;
  const json = isRecord(schema) ? schema : { type: 'object', additionalProperties: true, properties: {} };
  const spec: Json = { name, inputSchema: { json } };
  if (description) spec.description = description;
  return { name, spec: { toolSpec: spec } };
}

/** The Converse body for an OpenAI chat body (deployment defaults already merged, `model` ignored). */
export function chatToConverse(body: Json, modelId: string): Json {
  const { system, messages, usedTools } = convertMessages(body.messages);
  const out: Json = { messages };
  if (system.length > 0) out.system = system;

  const inference: Json = {};
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') inference.maxTokens = maxTokens;
  if (typeof body.temperature === 'number') inference.temperature = body.temperature;
  if (typeof body.top_p === 'number') inference.topP = body.top_p;
  if (body.stop !== undefined && body.stop !== null) {
    const stops = (Array.isArray(body.stop) ? body.stop : [body.stop]).filter(
      (s) => typeof s === 'string' && s !== '',
    );
    if (stops.length > 0) inference.stopSequences = stops;
  }
  if (Object.keys(inference).length > 0) out.inferenceConfig = inference;

  const vendor = bedrockVendor(modelId);
  const extra: Json = isRecord(body.additionalModelRequestFields)
    ? { ...body.additionalModelRequestFields }
    : {};
  const thinking =
    body.thinking ??
    (typeof body.reasoning_effort === 'string' && THINKING_BUDGET[body.reasoning_effort] !== undefined
      ? { type: 'enabled', budget_tokens: THINKING_BUDGET[body.reasoning_effort] }
      : undefined);
  if (thinking !== undefined && vendor === 'anthropic') extra.thinking = thinking;
  if (typeof body.top_k === 'number') {
    if (vendor === 'amazon')
      extra.inferenceConfig = {
        ...(isRecord(extra.inferenceConfig) ? extra.inferenceConfig : {}),
        topK: body.top_k,
      };
    else extra.top_k = body.top_k;
  }

  const tools = toolSpecs(body.tools);
  const json = jsonModeTool(body.response_format);
  let choice = body.tools === undefined ? undefined : toolChoice(body.tool_choice);
  if (json) {
    tools.push(json.spec);
    if (thinking === undefined) choice = { tool: { name: json.name } };
  }
  if (choice === null && usedTools.size === 0) tools.length = 0; // tool_choice "none": offer no tools
  if (tools.length === 0 && usedTools.size > 0) {
    // Converse refuses toolUse/toolResult blocks without a toolConfig: declare the tools the history used.
    for (const name of usedTools)
      tools.push({ toolSpec: { name, inputSchema: { json: { type: 'object', properties: {} } } } });
  }
  if (tools.length > 0) {
    out.toolConfig = choice ? { tools, toolChoice: choice } : { tools };
  }

  for (const key in body) {
    const v = body[key];
    if (v === undefined || MAPPED.has(key) || DROPPED.has(key) || key === 'additionalModelRequestFields')
      continue;
    if (NATIVE.has(key)) out[key] = v;
    else extra[key] = v;
  }
  if (Object.keys(extra).length > 0) out.additionalModelRequestFields = extra;
  return out;
}

/** Whether a chat body asked for JSON output (answered through the JSON tool). */
export function wantsJson(body: Json): string | undefined {
  return jsonModeTool(body.response_format)?.name;
}
