/**
 * @module providers/token-count
 * Token counting with js-tiktoken, for estimating usage when a stream is cut off, for budget
 * reservations and for mock responses. o200k_base for the gpt-4o / gpt-4.1 / gpt-4.5 / gpt-5 / o-series
 * families, cl100k_base otherwise (a close-enough estimate for non-OpenAI models). Encoders load
 * lazily, once (about half a second each), synchronously via require.
 */
import { createRequire } from 'node:module';
import type { Tiktoken } from 'js-tiktoken/lite';

type EncodingName = 'o200k_base' | 'cl100k_base';

const require = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Tiktoken>();

const O200K_MODEL = /(^|[/:_-])(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o[1-9])(?![0-9a-z])/i;

/** The encoding used for a model name (provider prefixes allowed: `openai/gpt-4o`, `azure/gpt-4o-mini`). */
export function encodingForModel(model: string | undefined): EncodingName {
  if (model === undefined) return 'cl100k_base';
  return O200K_MODEL.test(model) ? 'o200k_base' : 'cl100k_base';
}

function encoder(name: EncodingName): Tiktoken {
  let enc = encoders.get(name);
  if (!enc) {
    const { Tiktoken: Ctor } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    const ranks = require(`js-tiktoken/ranks/${name}`);
    enc = new Ctor(ranks);
    encoders.set(name, enc);
  }
  return enc;
}

/** Load an encoder ahead of the first request (optional; counting loads it on demand). */
export function warmTokenizer(model?: string): void {
  encoder(encodingForModel(model));
}

/** Tokens in a plain text. */
export function countTextTokens(text: string, model?: string): number {
  if (text === '') return 0;
  return encoder(encodingForModel(model)).encode(text, 'all').length;
}

/** Rough fixed cost of one image input (OpenAI low-detail tile); an estimate only. */
const IMAGE_TOKENS = 85;
/** OpenAI chat format overhead (tiktoken cookbook): per message, per name, and reply priming. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

function contentTokens(content: unknown, model: string | undefined): number {
  if (typeof content === 'string') return countTextTokens(content, model);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    if (typeof part === 'string') n += countTextTokens(part, model);
    else if (part && typeof part === 'object') {
      const p = part as Record<string, unknown>;
      if (typeof p.text === 'string') n += countTextTokens(p.text, model);
      else if (p.type === 'image_url' || p.type === 'image' || p.type === 'input_image') n += IMAGE_TOKENS;
      else if (typeof p.content === 'string' || Array.isArray(p.content))
        n += contentTokens(p.content, model);
      else if (p.input !== undefined) n += countTextTokens(JSON.stringify(p.input), model);
    }
  }
  return n;
}

function messageTokens(messages: unknown[], model: string | undefined): number {
  let n = 0;
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    n += TOKENS_PER_MESSAGE;
    if (typeof msg.role === 'string') n += countTextTokens(msg.role, model);
    n += contentTokens(msg.content, model);
    if (typeof msg.name === 'string') n += TOKENS_PER_NAME + countTextTokens(msg.name, model);
    if (Array.isArray(msg.tool_calls)) n += countTextTokens(JSON.stringify(msg.tool_calls), model);
  }
  return n;
}

/**
 * One item of a Responses API `input` array: a message (`content` string or parts), a function call
 * (name + arguments), a function call's output, a reasoning summary; references count nothing.
 */
function responseItemTokens(item: Record<string, unknown>, model: string | undefined): number {
  switch (item.type) {
    case 'function_call':
    case 'custom_tool_call':
      return (
        TOKENS_PER_MESSAGE +
        countTextTokens(String(item.name ?? ''), model) +
        countTextTokens(typeof item.arguments === 'string' ? item.arguments : String(item.input ?? ''), model)
      );
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const out = item.output;
      return (
        TOKENS_PER_MESSAGE +
        (typeof out === 'string' ? countTextTokens(out, model) : contentTokens(out, model))
      );
    }
    case 'reasoning':
      return contentTokens(item.summary, model);
    case 'item_reference':
      return 0;
    default: {
      let n = TOKENS_PER_MESSAGE;
      if (typeof item.role === 'string') n += countTextTokens(item.role, model);
      return n + contentTokens(item.content, model);
    }
  }
}

/**
 * Prompt tokens of a request body: chat `messages` (+ Anthropic `system`), completion `prompt`,
 * embedding `input` and Responses API `input` (strings or structured items) with its `instructions`;
 * tool definitions counted as their JSON text. An estimate for non-OpenAI models.
 */
export function countPromptTokens(body: Record<string, unknown>, model?: string): number {
  const m = model ?? (typeof body.model === 'string' ? body.model : undefined);
  let n = 0;
  if (Array.isArray(body.messages)) n += messageTokens(body.messages, m) + REPLY_PRIMING;
  if (body.system !== undefined) n += contentTokens(body.system, m);
  if (typeof body.instructions === 'string') n += countTextTokens(body.instructions, m);
  for (const key of ['prompt', 'input'] as const) {
    const v = body[key];
    if (typeof v === 'string') n += countTextTokens(v, m);
    else if (Array.isArray(v)) {
      for (const item of v) {
        if (typeof item === 'string') n += countTextTokens(item, m);
        else if (Array.isArray(item))
          n += item.length; // pre-tokenised input
        else if (typeof item === 'number') n += 1;
        else if (item && typeof item === 'object')
          n += responseItemTokens(item as Record<string, unknown>, m);
      }
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) n += countTextTokens(JSON.stringify(body.tools), m);
  return n;
}
