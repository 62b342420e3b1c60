/**
 * @module providers/gemini/gemini-stream
 * `streamGenerateContent?alt=sse` (AI Studio and Vertex), fed bytes → OpenAI chat.completion.chunk SSE.
 * Each Gemini event is a whole GenerateContentResponse holding the next parts of each candidate and the
 * usage so far (the last `usageMetadata` is final); there is no end marker. Text and thought parts become
 * content / reasoning_content deltas, a functionCall part a complete tool_calls delta (Gemini streams a
 * call whole), finishReason a finish chunk. A Google `error` object, a blocked prompt before any content,
 * or an event that is not JSON stops the stream: classified and redacted, written by `finalize`.
 */
import type { GatewayError } from '../../errors.js';
import { nowSeconds } from '../shared/ids.js';
import { arr, isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { openAiClosingFrames, openAiErrorFrame } from '../shared/openai-frames.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { createSseParser, type SseEvent, sseData } from '../shared/sse.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import { countTextTokens } from '../token-count.js';
import type { CallInput, StreamDecoder, StreamFinal, StreamOutcome } from '../types.js';
import { googleErrorDetail, googleErrorObject, googleErrorStatus } from './gemini-error.js';
import { blockedError, candidateContent, mapFinishReason } from './gemini-response.js';
import { geminiUsage } from './gemini-usage.js';

interface CandidateState {
  started: boolean;
  toolCalls: number;
  finished: boolean;
}

export function createGeminiChatDecoder(input: CallInput): StreamDecoder {
  const utf8 = new TextDecoder();
  const parser = createSseParser();
  const created = nowSeconds();
  const candidates = new Map<number, CandidateState>();
  let id = '';
  let model: string | undefined;
  let rawUsage: Json | null = null;
  let text = '';
  let emitted = false;
  let error: GatewayError | null = null;
  let tail = '';

  const chunk = (index: number, delta: Json, finish: string | null = null): string =>
    sseData(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model: model ?? input.deployment.upstreamModel,
        choices: [{ index, delta, finish_reason: finish }],
      }),
    );

  const candidate = (c: Json, i: number): string => {
    const index = typeof c.index === 'number' ? c.index : i;
    let st = candidates.get(index);
    if (!st) {
      st = { started: false, toolCalls: 0, finished: false };
      candidates.set(index, st);
    }
    const cc = candidateContent(c);
    const delta: Json = {};
    if (!st.started) {
      delta.role = 'assistant';
      delta.content = '';
      st.started = true;
    }
    if (cc.text !== '') delta.content = cc.text;
    if (cc.reasoning !== '') delta.reasoning_content = cc.reasoning;
    if (cc.toolCalls.length > 0) {
      delta.tool_calls = cc.toolCalls.map((tc) => ({ index: st.toolCalls++, ...tc }));
    }
    text += cc.text + cc.reasoning;
    for (const tc of cc.toolCalls) text += String(rec(tc.function).arguments ?? '');
    let out = Object.keys(delta).length > 0 ? chunk(index, delta) : '';
    const finish = mapFinishReason(c.finishReason, st.toolCalls > 0);
    if (finish && !st.finished) {
      st.finished = true;
      out += chunk(index, {}, finish);
    }
    return out;
  };

  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (error) break;
      const data = tryParse(ev.data);
      const gErr = googleErrorObject(data);
      if (gErr) {
        error = upstreamStreamError(input, googleErrorDetail(gErr), googleErrorStatus(gErr));
        break;
      }
      if (!isRecord(data)) {
        error = malformedStreamError(input, 'an event that is not JSON');
        break;
      }
      id ||= str(data.responseId) ?? '';
      model ??= str(data.modelVersion);
      if (isRecord(data.usageMetadata)) rawUsage = data.usageMetadata;
      if (!emitted) {
        const blocked = blockedError(data, input);
        if (blocked) {
          error = blocked;
          break;
        }
      }
      arr(data.candidates).forEach((c, i) => {
        if (isRecord(c)) out += candidate(c, i);
      });
      if (out !== '') emitted = true;
    }
    return out;
  };

  const outcome = (): StreamOutcome => {
    const usage = geminiUsage(rawUsage);
    const finished = candidates.size > 0 && [...candidates.values()].every((c) => c.finished);
    if (usage && !finished) {
      // Cut off before the last event: the counts so far are a floor, not the answer's size.
      usage.outputTokens = Math.max(usage.outputTokens, countTextTokens(text, model));
      usage.estimated = true;
    }
    return { usage, rawUsage, responseModel: model, text, error };
  };

  return {
    push: (bytes) => handle(parser.push(utf8.decode(bytes, { stream: true }))),
    end() {
      tail = handle(parser.push(utf8.decode()));
      tail += handle(parser.end());
      return outcome();
    },
    finalize(final: StreamFinal) {
      if (final.error) return tail + openAiErrorFrame(final.error);
      const usageChunk: Json = {
        id,
        object: 'chat.completion.chunk',
        created,
        model: model ?? input.deployment.upstreamModel,
        choices: [],
      };
      return (
        tail +
        openAiClosingFrames(usageChunk, final.usage.estimated ? null : usageToOpenAi(final.usage), final)
      );
    },
  };
}
