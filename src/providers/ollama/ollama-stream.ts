/**
 * @module providers/ollama/ollama-stream
 * Ollama NDJSON streams (`/api/chat`, `/api/generate`) → OpenAI SSE chunks (chat.completion.chunk
 * or text_completion). The final `done: true` line carries the counts and becomes the usage chunk.
 */
import type { Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { createLineSplitter, sseData } from '../shared/sse.js';
import type { StreamDecoder, StreamResult } from '../types.js';
import { finishReason, ollamaUsage, toolCallsToOpenAi } from './ollama-response.js';

export function createOllamaStreamDecoder(kind: 'chat' | 'completion'): StreamDecoder {
  const lines = createLineSplitter();
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

  const handle = (input: string[]): string => {
    let out = '';
    for (const line of input) {
      const raw = tryParse(line);
      if (!isRecord(raw)) continue;
      if (typeof raw.error === 'string') {
        out += sseData(JSON.stringify({ error: { message: raw.error, type: 'upstream_error' } }));
        continue;
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
    push: (input) => handle(lines.push(input)),
    finish(): StreamResult {
      const tail = handle(lines.end());
      const usageChunk: Json = {
        id,
        object,
        created,
        model: model ?? '',
        choices: [],
        usage: usage ? usageToOpenAi(usage) : null,
      };
      return { usageChunk, usage, responseModel: model, text, tail };
    },
  };
}
