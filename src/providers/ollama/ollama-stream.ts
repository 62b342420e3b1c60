/**
 * @module providers/ollama/ollama-stream
 * Ollama NDJSON streams (`/api/chat`, `/api/generate`), fed bytes → OpenAI SSE chunks
 * (chat.completion.chunk or text_completion). The final `done: true` line carries the counts and becomes
 * the usage chunk. An `{"error": …}` line becomes a classified, redacted error; a line that is not JSON
 * makes the stream malformed.
 */
import type { GatewayError } from '../../errors.js';
import type { Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { createLineSplitter, sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { finishReason, ollamaUsage, toolCallsToOpenAi } from './ollama-response.js';

export function createOllamaStreamDecoder(input: CallInput, kind: 'chat' | 'completion'): StreamDecoder {
  const utf8 = new TextDecoder();
  const lines = createLineSplitter();
  let error: GatewayError | null = null;
  let rawUsage: Json | null = null;
  let tail = '';
  const id = newId(kind === 'chat' ? 'chatcmpl-' : 'cmpl-');
  const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const created = nowSeconds();
  let model: string | undefined;
  let text = '';
  let usage: Usage | null = null;
  let first = true;
  let toolCount = 0;

  const chunk = (choice: Json): string =>
    sseData(JSON.stringify({ id, object, created, model: model ?? '', choices: [{ index: 0, ...choice }] }));

  const handle = (lines: string[]): string => {
    let out = '';
    for (const line of lines) {
      if (error) break;
      const raw = tryParse(line);
      if (!isRecord(raw)) {
        error = malformedStreamError(input, 'a line that is not JSON');
        break;
      }
      if (raw.error !== undefined) {
        const message =
          typeof raw.error === 'string' ? raw.error : (str(rec(raw.error).message) ?? 'upstream error');
        error = upstreamStreamError(input, { message });
        break;
      }
      model ??= str(raw.model);
      const msg = rec(raw.message);
      const piece = typeof msg.content === 'string' ? msg.content : (str(raw.response) ?? '');
      const thinking = str(msg.thinking) ?? str(raw.thinking);
      const calls = toolCallsToOpenAi(msg.tool_calls, toolCount);
      toolCount += calls.length;
      text += piece + (thinking ?? '') + calls.map((c) => rec(c.function).arguments).join('');
      if (kind === 'chat') {
        const delta: Json = first ? { role: 'assistant', content: piece } : { content: piece };
        if (thinking) delta.reasoning_content = thinking;
        if (calls.length > 0) delta.tool_calls = calls;
        if (first || piece !== '' || thinking || calls.length > 0)
          out += chunk({ delta, finish_reason: null });
      } else if (piece !== '') {
        out += chunk({ text: piece, finish_reason: null, logprobs: null });
      }
      first = false;
      if (raw.done === true) {
        usage = ollamaUsage(raw);
        rawUsage = { prompt_eval_count: raw.prompt_eval_count, eval_count: raw.eval_count };
        const finish = finishReason(raw, toolCount > 0);
        out +=
          kind === 'chat'
            ? chunk({ delta: {}, finish_reason: finish })
            : chunk({ text: '', finish_reason: finish, logprobs: null });
      }
    }
    return out;
  };

  return {
    push: (bytes) => handle(lines.push(utf8.decode(bytes, { stream: true }))),
    end(): StreamOutcome {
      tail = handle(lines.push(utf8.decode()));
      tail += handle(lines.end());
      return { usage, rawUsage, responseModel: model, text, error };
    },
    finalize(final: StreamFinal): string {
      if (final.error) return tail + openAiErrorFrame(final.error);
      return (
        tail + openAiClosingFrames({ id, object, created, model: model ?? '', choices: [] }, null, final)
      );
    },
  };
}
