/**
 * @module providers/openai-compatible/openai-stream
 * Decoder for OpenAI-format SSE streams (chat.completion.chunk / text_completion chunks).
 * Content chunks are forwarded unchanged; the usage chunk (`choices: []`, from
 * `stream_options.include_usage`) and `[DONE]` are held back for the gateway to write after pricing.
 * Usage riding on a content chunk (vLLM continuous usage, some hosts) is taken and stripped.
 */
import type { Usage } from '../../pricing/usage.js';
import { arr, isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent, sseData } from '../shared/sse.js';
import type { StreamDecoder, StreamResult } from '../types.js';

export interface OpenAiStreamOptions {
  /** `chat.completion.chunk` (chat) or `text_completion` (completions). */
  object: 'chat.completion.chunk' | 'text_completion';
  /** Rewrites each parsed chunk before forwarding (text-completion → chat conversion). */
  mapChunk?: (chunk: Json, first: boolean) => Json;
  /** The provider's usage normaliser (default usageFromOpenAi; xAI's differs). */
  usage?: (raw: unknown) => Usage | null;
}

/** Text a chunk contributes to the output (content, reasoning, tool-call arguments, completion text). */
export function chunkText(chunk: Json): string {
  let text = '';
  for (const c of arr(chunk.choices)) {
    if (!isRecord(c)) continue;
    if (typeof c.text === 'string') text += c.text;
    const delta = rec(c.delta);
    if (typeof delta.content === 'string') text += delta.content;
    if (typeof delta.reasoning_content === 'string') text += delta.reasoning_content;
    else if (typeof delta.reasoning === 'string') text += delta.reasoning;
    for (const tc of arr(delta.tool_calls)) {
      const args = rec(rec(tc).function).arguments;
      if (typeof args === 'string') text += args;
    }
  }
  return text;
}

export function createOpenAiStreamDecoder(opts: OpenAiStreamOptions): StreamDecoder {
  const parser = createSseParser();
  let text = '';
  let model: string | undefined;
  let id: string | undefined;
  let created: number | undefined;
  let usageChunk: Json | null = null;
  let rawUsage: unknown;
  let usage: Usage | null = null;
  let serviceTier: string | undefined;
  let first = true;
  const normalise = opts.usage ?? usageFromOpenAi;

  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      const data = ev.data;
      if (data === '[DONE]') continue;
      const chunk = tryParse(data);
      if (!isRecord(chunk)) {
        out += sseData(data);
        continue;
      }
      if (model === undefined && typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model;
      if (id === undefined && typeof chunk.id === 'string' && chunk.id !== '') id = chunk.id;
      if (created === undefined && typeof chunk.created === 'number') created = chunk.created;
      if (typeof chunk.service_tier === 'string') serviceTier = chunk.service_tier;
      const choices = arr(chunk.choices);
      const groqUsage = rec(chunk.x_groq).usage;
      if (isRecord(chunk.usage) || isRecord(groqUsage)) {
        rawUsage = isRecord(chunk.usage) ? chunk.usage : groqUsage;
        usage = normalise(rawUsage);
        if (choices.length === 0) {
          usageChunk = chunk;
          continue;
        }
      }
      text += chunkText(chunk);
      if (opts.mapChunk) {
        const mapped = opts.mapChunk(chunk, first);
        if ('usage' in mapped) delete mapped.usage;
        out += sseData(JSON.stringify(mapped));
      } else if (isRecord(chunk.usage)) {
        delete chunk.usage;
        out += sseData(JSON.stringify(chunk));
      } else {
        out += sseData(data);
      }
      first = false;
    }
    return out;
  };

  return {
    push(input) {
      return handle(parser.push(input));
    },
    finish(): StreamResult {
      const tail = handle(parser.end());
      let final: Json;
      if (usageChunk && !opts.mapChunk) {
        final = usageChunk;
      } else {
        final = {
          id: str(usageChunk?.id) ?? id ?? '',
          object: opts.mapChunk ? 'chat.completion.chunk' : opts.object,
          created: created ?? Math.floor(Date.now() / 1000),
          model: model ?? '',
          choices: [],
          usage: rawUsage ?? null,
        };
      }
      if (usage && serviceTier !== undefined) (usage as Usage).serviceTier = serviceTier;
      return { usageChunk: final, usage, responseModel: model, text, tail };
    },
  };
}
