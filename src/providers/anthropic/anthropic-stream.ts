/**
 * @module providers/anthropic/anthropic-stream
 * Anthropic Messages SSE (message_start, content_block_start/delta/stop, message_delta, message_stop,
 * ping, error), fed bytes → OpenAI chat.completion.chunk SSE; and the native pass-through decoder that
 * forwards each event as it came while reading usage from message_start/message_delta. Error events are
 * never forwarded verbatim (they are classified and redacted, then written by `finalize`). A stream that
 * ends before message_delta reports estimated output tokens.
 */
import type { GatewayError } from '../../errors.js';
import { nowSeconds } from '../shared/ids.js';
import { isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent, sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import { countTextTokens } from '../token-count.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { anthropicErrorDetail, anthropicErrorFrame, anthropicErrorStatus } from './anthropic-error.js';
import {
  type AnthropicCounters,
  applyAnthropicUsage,
  countersToUsage,
  mapStopReason,
  newCounters,
} from './anthropic-response.js';

/** State shared by both decoders: model, usage counters, generated text, raw usage, error. */
interface Tracker {
  input: CallInput;
  id: string;
  model: string | undefined;
  counters: AnthropicCounters;
  /** The usage objects as Anthropic sent them (message_start's, then message_delta's merged over it). */
  rawUsage: Json | null;
  started: boolean;
  /** message_delta seen: usage is final. */
  complete: boolean;
  text: string;
  error: GatewayError | null;
}

function newTracker(input: CallInput): Tracker {
  return {
    input,
    id: '',
    model: undefined,
    counters: newCounters(),
    rawUsage: null,
    started: false,
    complete: false,
    text: '',
    error: null,
  };
}

function mergeRaw(t: Tracker, usage: unknown): void {
  if (isRecord(usage)) t.rawUsage = { ...(t.rawUsage ?? {}), ...usage };
}

/** Updates the tracker from one event; returns the parsed event, or undefined when it is not forwarded. */
function track(t: Tracker, ev: SseEvent): Json | undefined {
  const data = tryParse(ev.data);
  if (!isRecord(data)) {
    t.error ??= malformedStreamError(t.input, 'an event that is not JSON');
    return undefined;
  }
  switch (data.type) {
    case 'message_start': {
      const msg = rec(data.message);
      t.started = true;
      t.id = str(msg.id) ?? t.id;
      t.model = str(msg.model) ?? t.model;
      applyAnthropicUsage(t.counters, msg.usage);
      mergeRaw(t, msg.usage);
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
      mergeRaw(t, data.usage);
      break;
    case 'error': {
      const detail = anthropicErrorDetail(data.error);
      t.error ??= upstreamStreamError(t.input, detail, anthropicErrorStatus(detail.type));
      return undefined;
    }
  }
  return data;
}

function outcome(t: Tracker): StreamOutcome {
  let usage = null;
  if (t.started) {
    usage = countersToUsage(t.counters);
    if (!t.complete) {
      // Cut off before message_delta: output so far is only the message_start placeholder.
      usage.outputTokens = Math.max(usage.outputTokens, countTextTokens(t.text, t.model));
      usage.estimated = true;
    }
  }
  return { usage, rawUsage: t.rawUsage, responseModel: t.model, text: t.text, error: t.error };
}

/** Anthropic SSE → OpenAI chat.completion.chunk SSE. */
export function createAnthropicChatDecoder(input: CallInput): StreamDecoder {
  const utf8 = new TextDecoder();
  const parser = createSseParser();
  const t = newTracker(input);
  const created = nowSeconds();
  /** Anthropic content block index → OpenAI tool_calls index. */
  const toolIndex = new Map<number, number>();
  let tail = '';

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
      if (t.error) break;
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
          const finishReason = mapStopReason(rec(data.delta).stop_reason);
          if (finishReason) out += chunk({}, finishReason);
          break;
        }
      }
    }
    return out;
  };

  return {
    push: (bytes) => handle(parser.push(utf8.decode(bytes, { stream: true }))),
    end() {
      tail = handle(parser.push(utf8.decode()));
      tail += handle(parser.end());
      return outcome(t);
    },
    finalize(final: StreamFinal) {
      if (final.error) return tail + openAiErrorFrame(final.error);
      const usageChunk: Json = {
        id: t.id,
        object: 'chat.completion.chunk',
        created,
        model: t.model ?? '',
        choices: [],
      };
      const reported = final.usage.estimated
        ? null
        : usageToOpenAi(final.usage, { anthropicCacheFields: true });
      return tail + openAiClosingFrames(usageChunk, reported, final);
    },
  };
}

/** Native `/v1/messages` streams: events forwarded as they came, usage read on the side. */
export function createAnthropicPassthroughDecoder(input: CallInput): StreamDecoder {
  const utf8 = new TextDecoder();
  const parser = createSseParser();
  const t = newTracker(input);
  let tail = '';
  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (t.error) break;
      if (!track(t, ev)) continue;
      out += ev.event === undefined ? `data: ${ev.data}\n\n` : `event: ${ev.event}\ndata: ${ev.data}\n\n`;
    }
    return out;
  };
  return {
    push: (bytes) => handle(parser.push(utf8.decode(bytes, { stream: true }))),
    end() {
      tail = handle(parser.push(utf8.decode()));
      tail += handle(parser.end());
      return outcome(t);
    },
    finalize: (final: StreamFinal) => tail + (final.error ? anthropicErrorFrame(final.error) : ''),
  };
}
