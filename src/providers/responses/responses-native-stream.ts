/**
 * @module providers/responses/responses-native-stream
 * Decoder for a native Responses API stream (OpenAI, Azure), fed bytes: every typed event is forwarded
 * as it came, except the terminal `response.completed` / `response.incomplete`, held back so `finalize`
 * writes it with `usage.cost` (exact), and in-stream failures (`error`, `response.failed`), which are
 * classified and redacted, never forwarded verbatim. Usage is read from the terminal event's response.
 */
import type { GatewayError } from '../../errors.js';
import type { Usage } from '../../pricing/usage.js';
import { isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { usageToResponses } from './chat-to-responses.js';
import { responsesErrorFrame, terminalFrame, usageWithCost } from './responses-frames.js';

const TERMINAL = new Set(['response.completed', 'response.incomplete']);

export function createResponsesNativeDecoder(input: CallInput): StreamDecoder {
  const utf8 = new TextDecoder();
  const parser = createSseParser();
  let text = '';
  let model: string | undefined;
  let terminal: { type: string; data: Json } | null = null;
  let usage: Usage | null = null;
  let rawUsage: unknown = null;
  let error: GatewayError | null = null;
  let seq = 0;
  let tail = '';

  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (error || ev.data === '[DONE]') continue;
      const data = tryParse(ev.data);
      if (!isRecord(data)) {
        error = malformedStreamError(input, 'an event that is not JSON');
        break;
      }
      const type = str(data.type) ?? ev.event ?? '';
      if (typeof data.sequence_number === 'number') seq = data.sequence_number + 1;
      const response = rec(data.response);
      if (typeof response.model === 'string') model = response.model;
      if (type === 'error' || type === 'response.failed') {
        const e = type === 'error' ? data : rec(response.error);
        const message = str(e.message) ?? 'the upstream reported a failure';
        error = upstreamStreamError(input, { message, type: str(e.code) });
        if (isRecord(response.usage)) {
          rawUsage = response.usage;
          usage = usageFromOpenAi(response.usage);
        }
        break;
      }
      if (TERMINAL.has(type)) {
        terminal = { type, data };
        rawUsage = response.usage ?? null;
        usage = usageFromOpenAi(response.usage);
        continue;
      }
      if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta') {
        if (typeof data.delta === 'string') text += data.delta;
      } else if (type === 'response.reasoning_summary_text.delta' && typeof data.delta === 'string') {
        text += data.delta;
      }
      out += ev.event === undefined ? `data: ${ev.data}\n\n` : `event: ${ev.event}\ndata: ${ev.data}\n\n`;
    }
    return out;
  };

  return {
    push: (bytes) => handle(parser.push(utf8.decode(bytes, { stream: true }))),
    end(): StreamOutcome {
      tail = handle(parser.push(utf8.decode()));
      tail += handle(parser.end());
      return { usage, rawUsage, responseModel: model, text, error };
    },
    finalize(final: StreamFinal): string {
      if (final.error) return tail + responsesErrorFrame(final.error, seq);
      if (!terminal) return tail;
      const response = rec(terminal.data.response);
      const reported =
        isRecord(response.usage) && !final.usage.estimated ? response.usage : usageToResponses(final.usage);
      const withCost = { ...response, usage: usageWithCost(reported, final) };
      const n = typeof terminal.data.sequence_number === 'number' ? terminal.data.sequence_number : seq;
      return tail + terminalFrame(terminal.type, withCost, n);
    },
  };
}
