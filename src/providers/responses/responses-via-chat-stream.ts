/**
 * @module providers/responses/responses-via-chat-stream
 * Streams a translated provider's answer as Responses API events. The provider's own chat decoder turns
 * its wire bytes into OpenAI chat.completion.chunk SSE; this turns those chunks into the typed events
 * (response.created, response.in_progress, response.output_item.added, response.content_part.added,
 * response.output_text.delta / .done, response.function_call_arguments.delta / .done,
 * response.output_item.done) and, after pricing, `response.completed` whose usage carries the exact cost
 * — or OpenAI's `error` event when the call failed after the start.
 */
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { createSseParser } from '../shared/sse.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import {
  functionCallItem,
  messageItem,
  responseShell,
  statusOf,
  usageToResponses,
} from './chat-to-responses.js';
import { createFrameWriter, responsesErrorFrame, terminalFrame, usageWithCost } from './responses-frames.js';

interface OpenItem {
  kind: 'message' | 'function_call';
  id: string;
  outputIndex: number;
  text: string;
  callId?: string;
  name?: string;
}

export function createResponsesViaChatDecoder(chat: StreamDecoder, input: CallInput): StreamDecoder {
  const frames = createFrameWriter();
  const parser = createSseParser();
  const id = newId('resp_');
  const createdAt = nowSeconds();
  let model = String(input.body.model ?? '');
  let started = false;
  let finish: string | null = null;
  const done: Json[] = [];
  let current: OpenItem | null = null;
  /** Chat tool_calls index → its function_call item. */
  const tools = new Map<number, OpenItem>();

  const shell = (status: string): Json => ({ ...responseShell(id, model, input.body, createdAt), status });

  const start = (): string => {
    started = true;
    return (
      frames.event('response.created', { response: shell('in_progress') }) +
      frames.event('response.in_progress', { response: shell('in_progress') })
    );
  };

  const closeCurrent = (): string => {
    const item = current;
    if (!item) return '';
    current = null;
    if (item.kind === 'message') {
      const full = messageItem(item.text, 'completed', item.id);
      done[item.outputIndex] = full;
      const part = rec(arr(full.content)[0]);
      const at = { item_id: item.id, output_index: item.outputIndex, content_index: 0 };
      return (
        frames.event('response.output_text.done', { ...at, text: item.text, logprobs: [] }) +
        frames.event('response.content_part.done', { ...at, part }) +
        frames.event('response.output_item.done', { output_index: item.outputIndex, item: full })
      );
    }
    const full = functionCallItem(item.callId ?? '', item.name ?? '', item.text, 'completed', item.id);
    done[item.outputIndex] = full;
    return (
      frames.event('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: item.outputIndex,
        arguments: item.text,
      }) + frames.event('response.output_item.done', { output_index: item.outputIndex, item: full })
    );
  };

  const openMessage = (): string => {
    const item: OpenItem = { kind: 'message', id: newId('msg_'), outputIndex: done.length, text: '' };
    done.push({});
    current = item;
    const shellItem = { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    return (
      frames.event('response.output_item.added', { output_index: item.outputIndex, item: shellItem }) +
      frames.event('response.content_part.added', {
        item_id: item.id,
        output_index: item.outputIndex,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      })
    );
  };

  const onChunk = (chunk: Json): string => {
    let out = started ? '' : start();
    if (typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model;
    for (const c of arr(chunk.choices)) {
      if (!isRecord(c)) continue;
      const delta = rec(c.delta);
      if (typeof delta.content === 'string' && delta.content !== '') {
        if (current?.kind !== 'message') out += closeCurrent() + openMessage();
        const item = current as OpenItem;
        item.text += delta.content;
        out += frames.event('response.output_text.delta', {
          item_id: item.id,
          output_index: item.outputIndex,
          content_index: 0,
          delta: delta.content,
          logprobs: [],
        });
      }
      for (const tc of arr(delta.tool_calls)) {
        if (!isRecord(tc)) continue;
        const index = typeof tc.index === 'number' ? tc.index : 0;
        const fn = rec(tc.function);
        let item = tools.get(index);
        if (!item) {
          out += closeCurrent();
          item = {
            kind: 'function_call',
            id: newId('fc_'),
            outputIndex: done.length,
            text: '',
            callId: str(tc.id) ?? newId('call_'),
            name: str(fn.name) ?? '',
          };
          done.push({});
          tools.set(index, item);
          current = item;
          const added = functionCallItem(item.callId ?? '', item.name ?? '', '', 'in_progress', item.id);
          out += frames.event('response.output_item.added', { output_index: item.outputIndex, item: added });
        }
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          item.text += fn.arguments;
          out += frames.event('response.function_call_arguments.delta', {
            item_id: item.id,
            output_index: item.outputIndex,
            delta: fn.arguments,
          });
        }
      }
      if (typeof c.finish_reason === 'string') finish = c.finish_reason;
    }
    return out;
  };

  const convert = (text: string): string => {
    let out = '';
    for (const ev of parser.push(text)) {
      if (ev.data === '[DONE]') continue;
      const chunk = tryParse(ev.data);
      // The chat decoders only emit JSON chunks; an error frame is written by finalize instead.
      if (isRecord(chunk) && chunk.error === undefined) out += onChunk(chunk);
    }
    return out;
  };

  const asText = (v: string | Uint8Array): string =>
    typeof v === 'string' ? v : new TextDecoder().decode(v);

  return {
    push: (bytes) => convert(asText(chat.push(bytes))),
    end(): StreamOutcome {
      return chat.end();
    },
    finalize(final: StreamFinal): string {
      // The chat decoder's held-back tail (its closing frames are ignored: the terminal event is ours).
      let out = convert(asText(chat.finalize({ ...final, includeUsage: false, error: null })));
      out += convert('\n\n');
      if (!started) out += start();
      if (final.error) return out + responsesErrorFrame(final.error, frames.seq++);
      // Tool-call items stay open across interleaved deltas; close whatever is still open, in order.
      out += closeCurrent();
      for (const item of tools.values()) {
        if (rec(done[item.outputIndex]).type === undefined) {
          current = item;
          out += closeCurrent();
        }
      }
      const { status, incomplete } = statusOf(finish);
      const response: Json = {
        ...shell(status),
        incomplete_details: incomplete,
        output: done.filter((d) => d.type !== undefined),
        usage: usageWithCost(usageToResponses(final.usage), final),
      };
      return (
        out +
        terminalFrame(
          status === 'completed' ? 'response.completed' : 'response.incomplete',
          response,
          frames.seq++,
        )
      );
    },
  };
}
