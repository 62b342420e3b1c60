/**
 * @module gateway/request-params
 * Validates the request parameters a client controls, the way the OpenAI API does (same ranges,
 * same wording: "Invalid 'max_tokens': integer below minimum value…"), before anything is
 * reserved or forwarded: token limits are positive integers (a budget reservation is only as good
 * as max_tokens), sampling parameters are numbers in range, and the gateway's own fields
 * (`metadata`, `tags`, `user`) are bounded in depth, size and key count. Pure: throws a
 * GatewayError (400, TG_ERR_BAD_REQUEST, `param` = the field) or returns.
 */

import { boundJson, CLIENT_METADATA_LIMITS, type JsonLimits, nestsDeeperThan } from '../bounded-json.js';
import { GatewayError } from '../errors.js';
import type { CallType } from '../providers/types.js';

/** Bounds for request `metadata` / `litellm_metadata` (documented in docs/ACCESS.md). */
export const METADATA_LIMITS: JsonLimits = CLIENT_METADATA_LIMITS;
export const MAX_TAGS = 64;
export const MAX_TAG_CHARS = 256;
/** The `user` (customer id) field. */
export const MAX_USER_CHARS = 256;
const INT32_MAX = 2_147_483_647;
/**
 * Any field of the body (messages, tools' JSON schemas, input…): deep enough for real schemas,
 * far from the depth where JSON.stringify (forwarding, logging) overflows the stack.
 */
export const MAX_BODY_DEPTH = 64;

type Check = (v: unknown, name: string) => void;

function fail(name: string, message: string): never {
  throw new GatewayError('TG_ERR_BAD_REQUEST', `Invalid '${name}': ${message}`, { param: name });
}

function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : v === null ? 'null' : 'an object';
  return String(v);
}

const int =
  (min: number, max = INT32_MAX): Check =>
  (v, name) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      fail(name, `expected an integer, but got ${shown(v)} instead.`);
    }
    if (v < min) fail(name, `integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`);
    if (v > max) fail(name, `integer above maximum value. Expected a value <= ${max}, but got ${v} instead.`);
  };

const num =
  (min: number, max: number): Check =>
  (v, name) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      fail(name, `expected a number, but got ${shown(v)} instead.`);
    if (v < min) fail(name, `decimal below minimum value. Expected a value >= ${min}, but got ${v} instead.`);
    if (v > max) fail(name, `decimal above maximum value. Expected a value <= ${max}, but got ${v} instead.`);
  };

const bool: Check = (v, name) => {
  if (typeof v !== 'boolean') fail(name, `expected a boolean, but got ${shown(v)} instead.`);
};

const object: Check = (v, name) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail(name, `expected an object, but got ${shown(v)} instead.`);
  }
};

const string =
  (maxChars = Number.POSITIVE_INFINITY): Check =>
  (v, name) => {
    if (typeof v !== 'string') fail(name, `expected a string, but got ${shown(v)} instead.`);
    if (v.length > maxChars)
      fail(name, `string too long. Expected at most ${maxChars} characters, got ${v.length}.`);
  };

const stringOrObject: Check = (v, name) => {
  if (typeof v !== 'string' && (typeof v !== 'object' || v === null || Array.isArray(v))) {
    fail(name, `expected a string or an object, but got ${shown(v)} instead.`);
  }
};

const stop =
  (maxItems: number): Check =>
  (v, name) => {
    if (typeof v === 'string') return;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      fail(name, `expected a string or an array of strings, but got ${shown(v)} instead.`);
    }
    if (v.length > maxItems)
      fail(name, `array too long. Expected at most ${maxItems} items, got ${v.length}.`);
  };

const stringArray =
  (maxItems: number): Check =>
  (v, name) => {
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      fail(name, `expected an array of strings, but got ${shown(v)} instead.`);
    }
    if (v.length > maxItems)
      fail(name, `array too long. Expected at most ${maxItems} items, got ${v.length}.`);
  };

const array: Check = (v, name) => {
  if (!Array.isArray(v)) fail(name, `expected an array, but got ${shown(v)} instead.`);
};

const logitBias: Check = (v, name) => {
  object(v, name);
  for (const [k, b] of Object.entries(v as Record<string, unknown>)) {
    if (!/^\d{1,9}$/.test(k)) fail(name, `keys must be token ids, but got ${shown(k)}.`);
    num(-100, 100)(b, `${name}.${k}`);
  }
};

const oneOf =
  (...values: string[]): Check =>
  (v, name) => {
    if (typeof v !== 'string' || !values.includes(v)) {
      fail(name, `expected one of ${values.map((x) => `'${x}'`).join(', ')}, but got ${shown(v)} instead.`);
    }
  };

/** OpenAI's ranges. Anthropic-native requests have their own (temperature 0..1, stop_sequences, top_k). */
const SAMPLING: Record<string, Check> = {
  max_tokens: int(1),
  max_completion_tokens: int(1),
  max_output_tokens: int(1),
  temperature: num(0, 2),
  top_p: num(0, 1),
  n: int(1, 128),
  stream: bool,
  stream_options: object,
  stop: stop(4),
  presence_penalty: num(-2, 2),
  frequency_penalty: num(-2, 2),
  logit_bias: logitBias,
  seed: int(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  tools: array,
  tool_choice: stringOrObject,
  parallel_tool_calls: bool,
  response_format: object,
};

const CHAT: Record<string, Check> = { ...SAMPLING, logprobs: bool, top_logprobs: int(0, 20) };
const COMPLETION: Record<string, Check> = {
  ...SAMPLING,
  logprobs: int(0, 5),
  echo: bool,
  best_of: int(1, 20),
};
const ANTHROPIC: Record<string, Check> = {
  max_tokens: int(1),
  temperature: num(0, 1),
  top_p: num(0, 1),
  top_k: int(0),
  stream: bool,
  stop_sequences: stringArray(1000),
  tools: array,
  tool_choice: object,
};
/** OpenAI Responses API (POST /v1/responses): its own names for the sampling and tool fields. */
const RESPONSES: Record<string, Check> = {
  max_output_tokens: int(1),
  temperature: num(0, 2),
  top_p: num(0, 1),
  stream: bool,
  store: bool,
  background: bool,
  tools: array,
  tool_choice: stringOrObject,
  parallel_tool_calls: bool,
  previous_response_id: string(256),
  text: object,
  reasoning: object,
  truncation: oneOf('auto', 'disabled'),
};
const EMBEDDING: Record<string, Check> = { dimensions: int(1), encoding_format: oneOf('float', 'base64') };
const IMAGE: Record<string, Check> = {
  n: int(1, 10),
  size: string(64),
  quality: string(64),
  style: string(64),
};

const BY_CALL: Record<CallType, Record<string, Check>> = {
  chat: CHAT,
  completion: COMPLETION,
  anthropic_messages: ANTHROPIC,
  embedding: EMBEDDING,
  image_generation: IMAGE,
  responses: RESPONSES,
} as Record<CallType, Record<string, Check>>;

/** No NUL or other C0 control characters (ids end up in SQL lookups and logs). */
function printable(v: string, name: string): void {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v)) fail(name, 'must not contain control characters.');
}

function checkMetadata(v: unknown, name: string): void {
  object(v, name);
  const b = boundJson(v, METADATA_LIMITS);
  if (b.cuts.includes('depth')) {
    fail(name, `nested too deeply. Expected at most ${METADATA_LIMITS.maxDepth} levels.`);
  }
  if (b.cuts.includes('keys'))
    fail(name, `too many keys. Expected at most ${METADATA_LIMITS.maxKeys} in all.`);
  if (b.cuts.includes('bytes')) {
    fail(name, `too large. Expected at most ${METADATA_LIMITS.maxBytes} bytes of JSON.`);
  }
  const tags = (v as Record<string, unknown>).tags;
  if (tags !== undefined && tags !== null) checkTags(tags, `${name}.tags`);
}

function checkTags(v: unknown, name: string): void {
  stringArray(MAX_TAGS)(v, name);
  for (const t of v as string[]) {
    if (t.length > MAX_TAG_CHARS) fail(name, `tag too long. Expected at most ${MAX_TAG_CHARS} characters.`);
    printable(t, name);
  }
}

/**
 * Throws a 400 for the first parameter that the OpenAI API (or Anthropic's, for /v1/messages)
 * would refuse, or that exceeds the gateway's own bounds. `null` means "not set", as in OpenAI.
 */
export function validateRequestParams(callType: CallType, body: Record<string, unknown>): void {
  for (const name in body) {
    if (name === 'metadata' || name === 'litellm_metadata') continue; // tighter bound below
    if (nestsDeeperThan(body[name], MAX_BODY_DEPTH - 1)) {
      fail(name, `nested too deeply. Expected at most ${MAX_BODY_DEPTH} levels in the request body.`);
    }
  }
  const checks = BY_CALL[callType];
  if (checks) {
    for (const name in checks) {
      const v = body[name];
      if (v !== undefined && v !== null) checks[name](v, name);
    }
  }
  if (body.user !== undefined && body.user !== null && callType !== 'anthropic_messages') {
    string(MAX_USER_CHARS)(body.user, 'user');
    printable(body.user as string, 'user');
  }
  for (const name of ['metadata', 'litellm_metadata']) {
    const v = body[name];
    if (v !== undefined && v !== null) checkMetadata(v, name);
  }
  if (body.tags !== undefined && body.tags !== null) checkTags(body.tags, 'tags');
  if (body.mock_response !== undefined && body.mock_response !== null)
    string()(body.mock_response, 'mock_response');
}
