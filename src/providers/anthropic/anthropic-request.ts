/**
 * @module providers/anthropic/anthropic-request
 * OpenAI chat body → Anthropic Messages body: system messages to `system`, tool calls and tool
 * results to tool_use/tool_result blocks, image parts to base64/url sources, consecutive same-role
 * messages merged, sampling/stop/max_tokens/tools/tool_choice mapped, `user` → `metadata.user_id`.
 * OpenAI-only fields Anthropic would reject are dropped; other unknown fields pass through.
 */
import { isRecord, type Json } from '../shared/json.js';

/** Anthropic requires max_tokens; 4096 is within every Claude model's output limit. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** `reasoning_effort` → extended-thinking budget (tokens), as LiteLLM maps it. */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 2048, high: 4096 };

/** OpenAI fields with no Anthropic equivalent (Anthropic rejects unknown fields). */
const DROPPED = new Set([
  'n',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'response_format',
  'stream_options',
  'modalities',
  'audio',
  'prediction',
  'store',
  'service_tier',
  'web_search_options',
  'functions',
  'function_call',
  'verbosity',
]);

/** Fields mapped explicitly below. */
const MAPPED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'stream',
  'reasoning_effort',
]);

type Block = Json;

function dataUrlSource(url: string): Json | undefined {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { type: 'base64', media_type: m[1], data: m[2] } : undefined;
}

function imageBlock(part: Json): Block | undefined {
  const iu = part.image_url;
  const url = typeof iu === 'string' ? iu : isRecord(iu) && typeof iu.url === 'string' ? iu.url : undefined;
  if (url === undefined) return undefined;
  return { type: 'image', source: dataUrlSource(url) ?? { type: 'url', url } };
}

function fileBlock(part: Json): Block | undefined {
  const file = isRecord(part.file) ? part.file : {};
  const data = typeof file.file_data === 'string' ? dataUrlSource(file.file_data) : undefined;
  return data ? { type: 'document', source: data } : undefined;
}

function withCache(block: Block, part: Json): Block {
  if (part.cache_control !== undefined) block.cache_control = part.cache_control;
  return block;
}

/** OpenAI content (string | parts) → Anthropic blocks. */
function contentBlocks(content: unknown): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: Block[] = [];
  for (const part of content) {
    if (typeof part === 'string') blocks.push({ type: 'text', text: part });
    if (!isRecord(part)) continue;
    let block: Block | undefined;
    if (part.type === 'text' && typeof part.text === 'string') block = { type: 'text', text: part.text };
    else if (part.type === 'image_url') block = imageBlock(part);
    else if (part.type === 'file') block = fileBlock(part);
    else if (part.type === 'image' || part.type === 'document' || part.type === 'tool_result')
      block = { ...part };
    if (block) blocks.push(withCache(block, part));
  }
  return blocks;
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return isRecord(args) ? args : {};
  try {
    const v = JSON.parse(args);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

function assistantBlocks(m: Json): Block[] {
  const blocks = contentBlocks(m.content);
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (!isRecord(tc)) continue;
      const fn = isRecord(tc.function) ? tc.function : {};
      blocks.push({ type: 'tool_use', id: tc.id, name: fn.name, input: parseArguments(fn.arguments) });
    }
  }
  return blocks;
}

function toolResultBlock(m: Json): Block {
  const content = typeof m.content === 'string' ? m.content : contentBlocks(m.content);
  return { type: 'tool_result', tool_use_id: m.tool_call_id, content };
}

/** Converted conversation: `system` text/blocks and alternating user/assistant messages. */
export function convertMessages(messages: unknown): { system: Block[]; messages: Json[] } {
  const system: Block[] = [];
  const out: { role: 'user' | 'assistant'; content: Block[] }[] = [];
  const add = (role: 'user' | 'assistant', blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of Array.isArray(messages) ? messages : []) {
    if (!isRecord(m)) continue;
    let blocks: Block[];
    if (m.role === 'system' || m.role === 'developer') {
      blocks = contentBlocks(m.content);
      if (m.cache_control !== undefined && blocks.length > 0)
        blocks[blocks.length - 1].cache_control = m.cache_control;
      system.push(...blocks);
      continue;
    }
    if (m.role === 'assistant') blocks = assistantBlocks(m);
    else if (m.role === 'tool' || m.role === 'function') blocks = [toolResultBlock(m)];
    else blocks = contentBlocks(m.content);
    if (m.cache_control !== undefined && blocks.length > 0)
      blocks[blocks.length - 1].cache_control = m.cache_control;
    add(m.role === 'assistant' ? 'assistant' : 'user', blocks);
  }
  // A single plain text block reads better (and logs smaller) as a string.
  const messagesOut = out.map((m) => {
    const only = m.content.length === 1 ? m.content[0] : undefined;
    const simple = only && only.type === 'text' && only.cache_control === undefined;
    return { role: m.role, content: simple ? only.text : m.content };
  });
  return { system, messages: messagesOut };
}

function convertTools(tools: unknown): Json[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return tools.filter(isRecord).map((t) => {
    if (t.type !== 'function' || !isRecord(t.function)) return t; // Anthropic-native tool: as is
    const fn = t.function;
    const tool: Json = {
      name: fn.name,
      input_schema: isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
    if (typeof fn.description === 'string') tool.description = fn.description;
    if (t.cache_control !== undefined) tool.cache_control = t.cache_control;
    return tool;
  });
}

function convertToolChoice(choice: unknown, parallel: unknown): Json | undefined {
  let out: Json | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (isRecord(choice)) {
    const name = isRecord(choice.function) ? choice.function.name : choice.name;
    out = choice.type === 'function' || typeof name === 'string' ? { type: 'tool', name } : { ...choice };
  }
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

/** The Messages API body for an OpenAI chat body (`body.model` ignored: `model` is the upstream's). */
export function chatToAnthropic(body: Json, model: string, stream: boolean): Json {
  const { system, messages } = convertMessages(body.messages);
  const out: Json = { model, messages };
  if (system.length > 0) {
    const plain = system.every((b) => b.type === 'text' && b.cache_control === undefined);
    out.system = plain ? system.map((b) => b.text).join('\n\n') : system;
  }
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  out.max_tokens = typeof maxTokens === 'number' ? maxTokens : ANTHROPIC_DEFAULT_MAX_TOKENS;
  if (body.stop !== undefined && body.stop !== null) {
    out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  }
  const tools = convertTools(body.tools);
  if (tools && tools.length > 0) {
    out.tools = tools;
    const choice = convertToolChoice(body.tool_choice, body.parallel_tool_calls);
    if (choice) out.tool_choice = choice;
  }
  if (typeof body.user === 'string' && body.user !== '') out.metadata = { user_id: body.user };
  if (stream) out.stream = true;
  const effort =
    typeof body.reasoning_effort === 'string' ? THINKING_BUDGET[body.reasoning_effort] : undefined;
  if (effort !== undefined && body.thinking === undefined) {
    out.thinking = { type: 'enabled', budget_tokens: effort };
    if (typeof maxTokens !== 'number') out.max_tokens = effort + ANTHROPIC_DEFAULT_MAX_TOKENS;
  }
  for (const key in body) {
    if (MAPPED.has(key) || DROPPED.has(key) || body[key] === undefined) continue;
    out[key] = body[key];
  }
  return out;
}
