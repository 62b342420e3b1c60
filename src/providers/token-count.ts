/**
 * @module providers/token-count
 * Token counting for estimates (cut streams, budget reservations, mock responses), bounded in
 * time whatever the text: BPE tokenizers (gpt-tokenizer here, tiktoken alike) are quadratic in the
 * length of a pre-tokenized piece, so a 20 KB run of one character took ~20 s on the event loop.
 *
 * How it stays bounded (docs/LEDGER.md "Token estimates"):
 * - Text is fed to the tokenizer in chunks cut at whitespace (where the tokenizer's own
 *   pre-split cuts too, so ordinary text counts exactly), and any run without whitespace is cut
 *   every MAX_RUN characters, so no BPE piece is longer than that. Repeated chunks hit a cache.
 * - Each count (one text, or one whole prompt) has an exact budget: EXACT_BUDGET_CHARS characters
 *   and, past the first ALWAYS_EXACT_CHARS, EXACT_BUDGET_MS of tokenizer time, whichever ends
 *   first; the rest is estimated linearly
 *   from the tokens-per-character ratio of what was counted (within [MIN_RATIO, MAX_RATIO]).
 *   Counts that used the estimate say so (`exact: false`). The time budget makes the split
 *   point of a huge adversarial text machine-dependent; ordinary prompts never reach it.
 * o200k_base for the gpt-4o / 4.1 / 4.5 / 5 / o-series families, cl100k_base otherwise (a
 * close-enough estimate for non-OpenAI models). Encodings load lazily, once.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

type EncodingName = 'o200k_base' | 'cl100k_base';
type CountFn = (text: string) => number;

const require = createRequire(import.meta.url);
const counters = new Map<EncodingName, CountFn>();

const O200K_MODEL = /(^|[/:_-])(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o[1-9])(?![0-9a-z])/i;

/** Longest run without whitespace handed to BPE in one piece (its cost grows with the square). */
export const MAX_RUN = 24; // a multiple of 3 (digits are split in threes) and of 8
/** Whitespace-cut chunks are at most this long. */
const MAX_CHUNK = 4096;
/** Characters counted with the tokenizer per count; beyond, the linear estimate. */
export const EXACT_BUDGET_CHARS = 128 * 1024;
/** Tokenizer time per count; beyond, the linear estimate (checked between chunks). */
export const EXACT_BUDGET_MS = 15;
/**
 * Always counted exactly, whatever the time (so small prompts count the same on a busy machine:
 * the time budget only decides where a large text switches to the estimate).
 */
export const ALWAYS_EXACT_CHARS = 8192;
/**
 * Tokens per UTF-8 byte for the estimate: the ratio of what was counted exactly, within
 * [MIN_RATIO, MAX_RATIO] (a BPE token is at least one byte, so 1 is an upper bound), or
 * DEFAULT_RATIO when too little was counted (text slow to tokenize: dense scripts, long runs).
 */
const DEFAULT_RATIO = 0.6;
const MIN_RATIO = 0.1;
const MAX_RATIO = 1;
const MIN_SAMPLE_BYTES = 8192;
const CACHE_MAX = 8192;
const CACHE_MAX_CHUNK = 256;

/** The encoding used for a model name (provider prefixes allowed: `openai/gpt-4o`, `azure/gpt-4o-mini`). */
export function encodingForModel(model: string | undefined): EncodingName {
  if (model === undefined) return 'cl100k_base';
  return O200K_MODEL.test(model) ? 'o200k_base' : 'cl100k_base';
}

function counter(name: EncodingName): CountFn {
  let fn = counters.get(name);
  if (!fn) {
    const enc = require(`gpt-tokenizer/encoding/${name}`) as {
      countTokens(text: string, opts?: { disallowedSpecial?: Set<string> }): number;
    };
    // Special-token text (<|endoftext|>) is ordinary text in a prompt: counted, never refused.
    const opts = { disallowedSpecial: new Set<string>() };
    const cache = new Map<string, number>();
    fn = (text) => {
      if (text.length > CACHE_MAX_CHUNK) return enc.countTokens(text, opts);
      let n = cache.get(text);
      if (n === undefined) {
        n = enc.countTokens(text, opts);
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(text, n);
      }
      return n;
    };
    counters.set(name, fn);
  }
  return fn;
}

/** Load an encoder ahead of the first request (optional; counting loads it on demand). */
export function warmTokenizer(model?: string): void {
  counter(encodingForModel(model));
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000;
}

/** A running count over several texts sharing one exact budget. */
export class TokenTally {
  tokens = 0;
  /** UTF-8 bytes counted exactly, and the tokens they gave (for the ratio). */
  private exactBytes = 0;
  private exactTokens = 0;
  /** False once part of the input was estimated linearly. */
  exact = true;
  private readonly count: CountFn;
  private readonly deadline: number;
  private countedChars = 0;

  constructor(
    model: string | undefined,
    private budget = EXACT_BUDGET_CHARS,
    budgetMs = EXACT_BUDGET_MS,
  ) {
    this.count = counter(encodingForModel(model));
    this.deadline = performance.now() + budgetMs;
  }

  /** Adds a constant number of tokens (message overheads, images). */
  addTokens(n: number): void {
    this.tokens += n;
  }

  addText(text: string): void {
    if (text === '') return;
    let i = 0;
    const end = text.length;
    while (i < end) {
      if (
        this.budget <= 0 ||
        (this.countedChars >= ALWAYS_EXACT_CHARS && performance.now() > this.deadline)
      ) {
        this.budget = 0;
        this.estimate(Buffer.byteLength(i === 0 ? text : text.slice(i), 'utf8'));
        return;
      }
      const stop = Math.min(end, i + Math.min(MAX_CHUNK, this.budget));
      let cut = stop;
      let run = 0;
      // Cut before a whitespace (the tokenizer's own pre-split also cuts there), and every
      // MAX_RUN characters of a run without whitespace (not inside a surrogate pair).
      let lastSpace = -1;
      for (let j = i; j < stop; j++) {
        const c = text.charCodeAt(j);
        if (isSpace(c)) {
          lastSpace = j;
          run = 0;
        } else if (++run > MAX_RUN && !(c >= 0xdc00 && c <= 0xdfff)) {
          cut = j;
          break;
        }
      }
      if (cut === stop && stop < end && lastSpace > i) cut = lastSpace;
      const chunk = text.slice(i, cut);
      const n = this.count(chunk);
      this.tokens += n;
      this.exactBytes += Buffer.byteLength(chunk, 'utf8');
      this.exactTokens += n;
      this.budget -= chunk.length;
      this.countedChars += chunk.length;
      i = cut;
    }
  }

  private estimate(bytes: number): void {
    this.exact = false;
    const ratio =
      this.exactBytes >= MIN_SAMPLE_BYTES
        ? Math.min(MAX_RATIO, Math.max(MIN_RATIO, this.exactTokens / this.exactBytes))
        : DEFAULT_RATIO;
    this.tokens += Math.ceil(bytes * ratio);
  }
}

export interface TokenCount {
  tokens: number;
  /** False when part of the text was beyond the exact budget and estimated linearly. */
  exact: boolean;
}

/** Tokens in a plain text, with whether the count is exact. */
export function countTextTokensDetailed(text: string, model?: string): TokenCount {
  if (text === '') return { tokens: 0, exact: true };
  const t = new TokenTally(model);
  t.addText(text);
  return { tokens: t.tokens, exact: t.exact };
}

/** Tokens in a plain text (an estimate beyond EXACT_BUDGET_CHARS). */
export function countTextTokens(text: string, model?: string): number {
  return countTextTokensDetailed(text, model).tokens;
}

/** Rough fixed cost of one image input (OpenAI low-detail tile); an estimate only. */
const IMAGE_TOKENS = 85;
/** OpenAI chat format overhead (tiktoken cookbook): per message, per name, and reply priming. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

function contentTokens(content: unknown, t: TokenTally): void {
  if (typeof content === 'string') {
    t.addText(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (typeof part === 'string') t.addText(part);
    else if (part && typeof part === 'object') {
      const p = part as Record<string, unknown>;
      if (typeof p.text === 'string') t.addText(p.text);
      else if (p.type === 'image_url' || p.type === 'image' || p.type === 'input_image')
        t.addTokens(IMAGE_TOKENS);
      else if (typeof p.content === 'string' || Array.isArray(p.content)) contentTokens(p.content, t);
      else if (p.input !== undefined) t.addText(safeJson(p.input));
    }
  }
}

/** JSON text for counting; a value JSON cannot print counts as nothing rather than throwing. */
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function messageTokens(messages: unknown[], t: TokenTally): void {
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    t.addTokens(TOKENS_PER_MESSAGE);
    if (typeof msg.role === 'string') t.addText(msg.role);
    contentTokens(msg.content, t);
    if (typeof msg.name === 'string') {
      t.addTokens(TOKENS_PER_NAME);
      t.addText(msg.name);
    }
    if (Array.isArray(msg.tool_calls)) t.addText(safeJson(msg.tool_calls));
  }
}

/**
 * One item of a Responses API `input` array: a message (`content` string or parts), a function call
 * (name + arguments), a function call's output, a reasoning summary; references count nothing.
 */
function responseItemTokens(item: Record<string, unknown>, t: TokenTally): void {
  switch (item.type) {
    case 'function_call':
    case 'custom_tool_call':
      t.addTokens(TOKENS_PER_MESSAGE);
      t.addText(String(item.name ?? ''));
      t.addText(typeof item.arguments === 'string' ? item.arguments : String(item.input ?? ''));
      return;
    case 'function_call_output':
    case 'custom_tool_call_output': {
      t.addTokens(TOKENS_PER_MESSAGE);
      if (typeof item.output === 'string') t.addText(item.output);
      else contentTokens(item.output, t);
      return;
    }
    case 'reasoning':
      contentTokens(item.summary, t);
      return;
    case 'item_reference':
      return;
    default:
      t.addTokens(TOKENS_PER_MESSAGE);
      if (typeof item.role === 'string') t.addText(item.role);
      contentTokens(item.content, t);
  }
}

/**
 * Prompt tokens of a request body, with whether the count is exact: chat `messages` (+ Anthropic
 * `system`), completion `prompt`, embedding `input` and Responses API `input` (strings or structured
 * items) with its `instructions`; tool definitions counted as their JSON text. The whole prompt shares
 * one exact budget. An estimate for non-OpenAI models either way.
 */
export function countPromptTokensDetailed(body: Record<string, unknown>, model?: string): TokenCount {
  const m = model ?? (typeof body.model === 'string' ? body.model : undefined);
  const t = new TokenTally(m);
  if (Array.isArray(body.messages)) {
    messageTokens(body.messages, t);
    t.addTokens(REPLY_PRIMING);
  }
  if (body.system !== undefined) contentTokens(body.system, t);
  if (typeof body.instructions === 'string') t.addText(body.instructions);
  for (const key of ['prompt', 'input'] as const) {
    const v = body[key];
    if (typeof v === 'string') t.addText(v);
    else if (Array.isArray(v)) {
      for (const item of v) {
        if (typeof item === 'string') t.addText(item);
        else if (Array.isArray(item))
          t.addTokens(item.length); // pre-tokenised input
        else if (typeof item === 'number') t.addTokens(1);
        else if (item && typeof item === 'object') responseItemTokens(item as Record<string, unknown>, t);
      }
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) t.addText(safeJson(body.tools));
  return { tokens: t.tokens, exact: t.exact };
}

/** Prompt tokens of a request body (see countPromptTokensDetailed). */
export function countPromptTokens(body: Record<string, unknown>, model?: string): number {
  return countPromptTokensDetailed(body, model).tokens;
}
