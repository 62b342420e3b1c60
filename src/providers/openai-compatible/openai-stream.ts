/**
 * @module providers/openai-compatible/openai-stream
 * Decoder for OpenAI-format SSE streams (chat.completion.chunk / text_completion chunks), fed bytes.
 * Content chunks are forwarded unchanged; the usage chunk (`choices: []`, from
 * `stream_options.include_usage`) and `[DONE]` are held back for `finalize`. Usage riding on a content
 * chunk (vLLM continuous usage, Groq's `x_groq`) is taken and stripped. An `error` event is never forwarded
 * verbatim: it becomes a classified, redacted error; data that is not JSON makes the stream malformed.
 */
import type { GatewayError } from '../../errors.js';
import type { Usage } from '../../pricing/usage.js';
import { arr, isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent, sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { openAiErrorDetail } from './openai-error.js';

export interface OpenAiStreamOptions {
  /** `chat.completion.chunk` (chat) or `text_completion` (completions). */
  object: 'chat.completion.chunk' | 'text_completion';
  /** Rewrites each parsed chunk before forwarding (text-completion → chat conversion). */
  mapChunk?: (chunk: Json, first: boolean) => Json;
  /** Normalises the provider's usage object (default: OpenAI's convention). */
  convertUsage?: (raw: unknown) => Usage | null;
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

export function createOpenAiStreamDecoder(input: CallInput, opts: OpenAiStreamOptions): StreamDecoder {
  const utf8 = new TextDecoder();
  const parser = createSseParser();
  const convertUsage = opts.convertUsage ?? usageFromOpenAi;
  let text = '';
  let model: string | undefined;
  let id: string | undefined;
  let created: number | undefined;
  let usageChunk: Json | null = null;
  let rawUsage: unknown = null;
  let usage: Usage | null = null;
  let serviceTier: string | undefined;
  let first = true;
  let error: GatewayError | null = null;
  let tail = '';

  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (error) break;
      const data = ev.data;
      if (data === '[DONE]') continue;
      const chunk = tryParse(data);
      if (!isRecord(chunk)) {
        error = malformedStreamError(input, 'an event that is not JSON');
        break;
      }
      if (chunk.error !== undefined && chunk.error !== null) {
        error = upstreamStreamError(input, openAiErrorDetail(chunk));
        break;
      }
      if (model === undefined && typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model;
      if (id === undefined && typeof chunk.id === 'string' && chunk.id !== '') id = chunk.id;
      if (created === undefined && typeof chunk.created === 'number') created = chunk.created;
      if (typeof chunk.service_tier === 'string') serviceTier = chunk.service_tier;
      const choices = arr(chunk.choices);
      const groqUsage = rec(chunk.x_groq).usage;
      if (isRecord(chunk.usage) || isRecord(groqUsage)) {
        rawUsage = isRecord(chunk.usage) ? chunk.usage : groqUsage;
        usage = convertUsage(rawUsage);
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
    push(bytes) {
      return handle(parser.push(utf8.decode(bytes, { stream: true })));
    },
    end(): StreamOutcome {
      tail = handle(parser.push(utf8.decode()));
      tail += handle(parser.end());
      // The tier OpenAI says it served (flex / priority / default) prices the call.
      if (usage && serviceTier !== undefined) (usage as Usage).serviceTier = serviceTier;
      return { usage, rawUsage, responseModel: model, text, error };
    },
    finalize(final: StreamFinal): string {
      if (final.error) return tail + openAiErrorFrame(final.error);
      const chunk: Json =
        usageChunk && !opts.mapChunk
          ? usageChunk
          : {
              id: str(usageChunk?.id) ?? id ?? '',
              object: opts.mapChunk ? 'chat.completion.chunk' : opts.object,
              created: created ?? Math.floor(Date.now() / 1000),
              model: model ?? '',
              choices: [],
            };
      return tail + openAiClosingFrames(chunk, rawUsage, final);
    },
  };
}
