/**
 * @module providers/cohere/cohere-stream
 * Cohere v2 chat stream (SSE events message-start, content-start/delta/end, tool-plan-delta,
 * tool-call-start/delta/end, citation-start/end, message-end), fed bytes → OpenAI chat.completion.chunk
 * SSE. message-end carries finish_reason and usage (held back for `finalize`). A `finish_reason` of ERROR,
 * an error payload or an event that is not JSON become a classified error, never forwarded verbatim.
 */
import type { GatewayError } from '../../errors.js';
import type { Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent, sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { cohereUsage, mapFinishReason } from './cohere-response.js';

export function createCohereStreamDecoder(input: CallInput, model: string): StreamDecoder {
  const utf8 = new TextDecoder();
  const parser = createSseParser();
  let id = newId('chatcmpl-');
  const created = nowSeconds();
  let text = '';
  let usage: Usage | null = null;
  let rawUsage: unknown = null;
  let error: GatewayError | null = null;
  let tail = '';

  const chunk = (delta: Json, finish: string | null = null): string =>
    sseData(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      }),
    );

  const onEvent = (ev: Json): string => {
    const delta = rec(rec(ev.delta).message);
    const index = typeof ev.index === 'number' ? ev.index : 0;
    switch (ev.type) {
      case 'message-start':
        if (typeof ev.id === 'string' && ev.id !== '') id = ev.id;
        return chunk({ role: 'assistant', content: '' });
      case 'content-start':
      case 'content-delta': {
        const c = rec(delta.content);
        if (typeof c.text === 'string' && c.text !== '') {
          text += c.text;
          return chunk({ content: c.text });
        }
        if (typeof c.thinking === 'string' && c.thinking !== '') {
          text += c.thinking;
          return chunk({ reasoning_content: c.thinking });
        }
        return '';
      }
      case 'tool-plan-delta':
        if (typeof delta.tool_plan === 'string') text += delta.tool_plan;
        return '';
      case 'tool-call-start': {
        const tc = rec(delta.tool_calls);
        const fn = rec(tc.function);
        const args = typeof fn.arguments === 'string' ? fn.arguments : '';
        text += args;
        return chunk({
          tool_calls: [
            {
              index,
              id: str(tc.id) ?? newId('call_'),
              type: 'function',
              function: { name: fn.name, arguments: args },
            },
          ],
        });
      }
      case 'tool-call-delta': {
        const args = rec(rec(delta.tool_calls).function).arguments;
        if (typeof args !== 'string' || args === '') return '';
        text += args;
        return chunk({ tool_calls: [{ index, function: { arguments: args } }] });
      }
      case 'message-end': {
        const end = rec(ev.delta);
        if (isRecord(end.usage)) {
          rawUsage = end.usage;
          usage = cohereUsage(end.usage);
        }
        if (typeof end.finish_reason === 'string' && end.finish_reason.toUpperCase() === 'ERROR') {
          error = upstreamStreamError(input, {
            message: str(end.error) ?? 'the generation ended with finish_reason ERROR',
          });
          return '';
        }
        return chunk({}, mapFinishReason(end.finish_reason));
      }
      default:
        return '';
    }
  };

  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const e of events) {
      if (error) break;
      if (e.data === '[DONE]') continue;
      const ev = tryParse(e.data);
      if (!isRecord(ev)) {
        error = malformedStreamError(input, 'an event that is not JSON');
        break;
      }
      if (ev.type === undefined && typeof ev.message === 'string') {
        error = upstreamStreamError(input, { message: ev.message });
        break;
      }
      out += onEvent(ev);
    }
    return out;
  };

  return {
    push: (bytes) => handle(parser.push(utf8.decode(bytes, { stream: true }))),
    end(): StreamOutcome {
      tail = handle(parser.push(utf8.decode()));
      tail += handle(parser.end());
      return { usage, rawUsage, responseModel: undefined, text, error };
    },
    finalize(final: StreamFinal) {
      if (final.error) return tail + openAiErrorFrame(final.error);
      const reported = final.usage.estimated ? null : usageToOpenAi(final.usage);
      return (
        tail +
        openAiClosingFrames(
          { id, object: 'chat.completion.chunk', created, model, choices: [] },
          reported,
          final,
        )
      );
    },
  };
}
