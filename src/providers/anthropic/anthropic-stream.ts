/**
 * @module providers/anthropic/anthropic-stream
 * Anthropic Messages SSE (message_start, content_block_start/delta/stop, message_delta,
 * message_stop, ping, error) → OpenAI chat.completion.chunk SSE; and the native pass-through
 * decoder that forwards the bytes untouched while reading usage from message_start/message_delta.
 * A stream that ends before message_delta reports estimated output tokens.
 */

import { nowSeconds } from '../shared/ids.js';
import { isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent, sseData } from '../shared/sse.js';
import { countTextTokens } from '../token-count.js';
import type { StreamDecoder, StreamResult } from '../types.js';
import {
  type AnthropicCounters,
  applyAnthropicUsage,
  countersToUsage,
  mapStopReason,
  newCounters,
} from './anthropic-response.js';

/** State shared by both decoders: model, usage counters, generated text. */
interface Tracker {
  id: string;
  model: string | undefined;
  counters: AnthropicCounters;
  started: boolean;
  /** message_delta seen: usage is final. */
  complete: boolean;
  text: string;
}

function newTracker(): Tracker {
  return { id: '', model: undefined, counters: newCounters(), started: false, complete: false, text: '' };
}

/** Updates the tracker from one event; returns the parsed event (or undefined). */
function track(t: Tracker, ev: SseEvent): Json | undefined {
  const data = tryParse(ev.data);
  if (!isRecord(data)) return undefined;
  switch (data.type) {
    case 'message_start': {
      const msg = rec(data.message);
      t.started = true;
      t.id = str(msg.id) ?? t.id;
      t.model = str(msg.model) ?? t.model;
      applyAnthropicUsage(t.counters, msg.usage);
      break;
    }
    case 'content_block_start': {
      const block = rec(data.content_block);
      if (typeof block.text === 'string') t.text += block.text;
      break;
    }
    case 'content_block_delta': {
      const delta = rec(data.delta);
      if (typeof delta.text === 'string') t.text += delta.text;
      else if (typeof delta.partial_json === 'string') t.text += delta.partial_json;
      else if (typeof delta.thinking === 'string') t.text += delta.thinking;
      break;
    }
    case 'message_delta':
      t.complete = true;
      applyAnthropicUsage(t.counters, data.usage);
      break;
  }
  return data;
}

function result(t: Tracker, usageChunk: Json | null, tail: string): StreamResult {
  let usage = null;
  if (t.started) {
    usage = countersToUsage(t.counters);
    if (!t.complete) {
      // Cut off before message_delta: output so far is only the message_start placeholder.
      usage.outputTokens = Math.max(usage.outputTokens, countTextTokens(t.text, t.model));
      usage.estimated = true;
    }
  }
  if (usageChunk && usage) usageChunk.usage = usageToOpenAi(usage, { anthropicCacheFields: true });
  return { usageChunk, usage, responseModel: t.model, text: t.text, tail };
}

/** Anthropic SSE → OpenAI chat.completion.chunk SSE. */
export function createAnthropicChatDecoder(): StreamDecoder {
  const parser = createSseParser();
  const t = newTracker();
  const created = nowSeconds();
  /** Anthropic content block index → OpenAI tool_calls index. */
  const toolIndex = new Map<number, number>();
  let finishReason: string | null = null;

  const chunk = (delta: Json, finish: string | null = null): string =>
    sseData(
      JSON.stringify({
        id: t.id,
        object: 'chat.completion.chunk',
        created,
        model: t.model ?? '',
        choices: [{ index: 0, delta, finish_reason: finish }],
      }),
    );

  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      const data = track(t, ev);
      if (!data) continue;
      switch (data.type) {
        case 'message_start':
          out += chunk({ role: 'assistant', content: '' });
          break;
        case 'content_block_start': {
          const block = rec(data.content_block);
          const index = typeof data.index === 'number' ? data.index : 0;
          if (block.type === 'tool_use') {
            const i = toolIndex.size;
            toolIndex.set(index, i);
            out += chunk({
              tool_calls: [
                { index: i, id: block.id, type: 'function', function: { name: block.name, arguments: '' } },
              ],
            });
          } else if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
            out += chunk({ content: block.text });
          }
          break;
        }
        case 'content_block_delta': {
          const delta = rec(data.delta);
          if (delta.type === 'text_delta') out += chunk({ content: delta.text });
          else if (delta.type === 'input_json_delta') {
            const i = toolIndex.get(typeof data.index === 'number' ? data.index : 0) ?? 0;
            out += chunk({ tool_calls: [{ index: i, function: { arguments: delta.partial_json } }] });
          } else if (delta.type === 'thinking_delta') out += chunk({ reasoning_content: delta.thinking });
          break;
        }
        case 'message_delta': {
          finishReason = mapStopReason(rec(data.delta).stop_reason);
          if (finishReason) out += chunk({}, finishReason);
          break;
        }
        case 'error': {
          const err = rec(data.error);
          out += sseData(
            JSON.stringify({ error: { message: str(err.message) ?? 'upstream error', type: err.type } }),
          );
          break;
        }
      }
    }
    return out;
  };

  return {
    push: (text) => handle(parser.push(text)),
    finish() {
      const tail = handle(parser.end());
      const usageChunk: Json = {
        id: t.id,
        object: 'chat.completion.chunk',
        created,
        model: t.model ?? '',
        choices: [],
        usage: null,
      };
      return result(t, usageChunk, tail);
    },
  };
}

/** Native `/v1/messages` streams: bytes forwarded untouched, usage read on the side. */
export function createAnthropicPassthroughDecoder(): StreamDecoder {
  const parser = createSseParser();
  const t = newTracker();
  return {
    push(text) {
      for (const ev of parser.push(text)) track(t, ev);
      return text;
    },
    finish() {
      for (const ev of parser.end()) track(t, ev);
      return result(t, null, '');
    },
  };
}
