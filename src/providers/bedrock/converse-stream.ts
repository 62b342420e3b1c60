/**
 * @module providers/bedrock/converse-stream
 * ConverseStream decoder: AWS event-stream frames (split anywhere) → OpenAI chat.completion.chunk SSE.
 * messageStart → the role chunk; contentBlockStart with a toolUse → a tool_calls chunk with id and name;
 * contentBlockDelta → content / tool-call arguments / reasoning_content; messageStop → finish_reason;
 * metadata → usage (held back for `finalize`). Exception frames (throttlingException,
 * modelStreamErrorException, …), a truncated or corrupt frame and non-JSON payloads are never forwarded:
 * they become a classified, redacted error the engine bills as a failure.
 */
import type { GatewayError } from '../../errors.js';
import type { Usage } from '../../pricing/usage.js';
import { awsStreamExceptionDetail } from '../aws/aws-error.js';
import {
  bodyText,
  createEventStreamReader,
  EventStreamFormatError,
  type EventStreamMessage,
} from '../aws/event-stream.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { isRecord, type Json, rec, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { converseUsage, converseUsageToOpenAi, mapStopReason } from './converse-response.js';

export function createConverseStreamDecoder(
  input: CallInput,
  model: string,
  jsonTool?: string,
): StreamDecoder {
  const reader = createEventStreamReader();
  const id = newId('chatcmpl-');
  const created = nowSeconds();
  /** Converse contentBlockIndex → OpenAI tool_calls index (or -1 for the JSON-mode tool). */
  const toolIndex = new Map<number, number>();
  let tools = 0;
  let text = '';
  let usage: Usage | null = null;
  let rawUsage: unknown = null;
  let error: GatewayError | null = null;

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

  const onEvent = (type: string | undefined, ev: Json): string => {
    const index = typeof ev.contentBlockIndex === 'number' ? ev.contentBlockIndex : 0;
    switch (type) {
      case 'messageStart':
        return chunk({ role: 'assistant', content: '' });
      case 'contentBlockStart': {
        const tu = rec(rec(ev.start).toolUse);
        if (typeof tu.name !== 'string') return '';
        if (jsonTool && tu.name === jsonTool) {
          toolIndex.set(index, -1);
          return '';
        }
        const i = tools++;
        toolIndex.set(index, i);
        return chunk({
          tool_calls: [
            { index: i, id: tu.toolUseId, type: 'function', function: { name: tu.name, arguments: '' } },
          ],
        });
      }
      case 'contentBlockDelta': {
        const delta = rec(ev.delta);
        if (typeof delta.text === 'string') {
          text += delta.text;
          return chunk({ content: delta.text });
        }
        if (isRecord(delta.toolUse) && typeof delta.toolUse.input === 'string') {
          const args = delta.toolUse.input;
          text += args;
          const i = toolIndex.get(index);
          if (i === -1) return chunk({ content: args });
          return chunk({ tool_calls: [{ index: i ?? 0, function: { arguments: args } }] });
        }
        const rc = rec(delta.reasoningContent);
        if (typeof rc.text === 'string') {
          text += rc.text;
          return chunk({ reasoning_content: rc.text });
        }
        return '';
      }
      case 'messageStop': {
        let finish = mapStopReason(ev.stopReason) ?? 'stop';
        if (finish === 'tool_calls' && [...toolIndex.values()].every((v) => v === -1)) finish = 'stop';
        return chunk({}, finish);
      }
      case 'metadata':
        if (isRecord(ev.usage)) {
          rawUsage = ev.usage;
          usage = converseUsage(ev.usage);
        }
        return '';
      default:
        return '';
    }
  };

  const handle = (messages: EventStreamMessage[]): string => {
    let out = '';
    for (const m of messages) {
      if (error) break;
      const body = bodyText(m);
      if (m.messageType === 'exception') {
        const { detail, status } = awsStreamExceptionDetail(m.exceptionType, body);
        error = upstreamStreamError(input, detail, status);
        break;
      }
      if (m.messageType === 'error') {
        error = upstreamStreamError(input, {
          message: `${m.errorCode ?? 'error'}: ${m.errorMessage ?? body}`,
        });
        break;
      }
      const ev = tryParse(body);
      if (!isRecord(ev)) {
        error = malformedStreamError(input, `a ${m.eventType ?? 'stream'} event whose payload is not JSON`);
        break;
      }
      out += onEvent(m.eventType, ev);
    }
    return out;
  };

  const guard = (fn: () => EventStreamMessage[]): EventStreamMessage[] => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof EventStreamFormatError)) throw err;
      error ??= malformedStreamError(input, err.message);
      return [];
    }
  };

  return {
    push: (bytes) => (error ? '' : handle(guard(() => reader.push(bytes)))),
    end(): StreamOutcome {
      if (!error)
        guard(() => {
          reader.end();
          return [];
        });
      return { usage, rawUsage, responseModel: undefined, text, error };
    },
    finalize(final: StreamFinal) {
      if (final.error) return openAiErrorFrame(final.error);
      const reported = final.usage.estimated ? null : converseUsageToOpenAi(final.usage);
      return openAiClosingFrames(
        { id, object: 'chat.completion.chunk', created, model, choices: [] },
        reported,
        final,
      );
    },
  };
}
