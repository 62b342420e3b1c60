/**
 * @module providers/gemini/gemini-response
 * Gemini `GenerateContentResponse` → OpenAI chat.completion: text parts to `content`, thought parts
 * (`thought: true`) to `reasoning_content`, `functionCall` parts to `tool_calls` (thought signature kept in
 * the id, see gemini-messages.ts), one choice per candidate, finishReason → finish_reason. A response that
 * carries nothing because Google blocked it (promptFeedback.blockReason, or candidates stopped for safety
 * with no content) is an error, TG_ERR_CONTENT_BLOCKED, naming the reason and the flagged categories.
 */
import { GatewayError } from '../../errors.js';
import type { Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, isRecord, type Json, rec, str } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { deploymentLabel } from '../shared/upstream-error.js';
import type { CallInput } from '../types.js';
import { THOUGHT_SEPARATOR } from './gemini-messages.js';

/** finishReasons meaning the answer was withheld or cut for policy reasons. */
const BLOCKED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/** Gemini finishReason → OpenAI finish_reason (`tool_calls` when the candidate called a function). */
export function mapFinishReason(reason: unknown, hasToolCalls: boolean): string | null {
  if (typeof reason !== 'string' || reason === '') return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (BLOCKED.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/** A tool call id: `call_<random>`, plus the thought signature when Gemini sent one. */
export function toolCallId(part: Json): string {
  const id = newId('call_');
  return typeof part.thoughtSignature === 'string' ? `${id}${THOUGHT_SEPARATOR}${part.thoughtSignature}` : id;
}

export interface CandidateContent {
  text: string;
  reasoning: string;
  toolCalls: Json[];
}

/** The text, thoughts and function calls of one candidate's parts. */
export function candidateContent(candidate: unknown): CandidateContent {
  const out: CandidateContent = { text: '', reasoning: '', toolCalls: [] };
  for (const p of arr(rec(rec(candidate).content).parts)) {
    if (!isRecord(p)) continue;
    if (typeof p.text === 'string') {
      if (p.thought === true) out.reasoning += p.text;
      else out.text += p.text;
    } else if (isRecord(p.functionCall)) {
      out.toolCalls.push({
        id: toolCallId(p),
        type: 'function',
        function: {
          name: str(p.functionCall.name) ?? '',
          arguments: JSON.stringify(p.functionCall.args ?? {}),
        },
      });
    }
  }
  return out;
}

function flagged(ratings: unknown): string {
  const cats = arr(ratings)
    .map(rec)
    .filter((r) => r.blocked === true || r.probability === 'HIGH' || r.probability === 'MEDIUM')
    .map((r) =>
      `${String(r.category ?? '').replace(/^HARM_CATEGORY_/, '')} ${String(r.probability ?? '')}`.trim(),
    );
  return cats.length > 0 ? ` (flagged: ${cats.join(', ')})` : '';
}

/**
 * The content-blocked error for a response Google withheld, or null when it carries an answer. Used by
 * the non-streaming parser and the stream decoder alike.
 */
export function blockedError(response: Json, input: CallInput): GatewayError | null {
  const feedback = rec(response.promptFeedback);
  const candidates = arr(response.candidates);
  const who = `Upstream deployment ${deploymentLabel(input.deployment)}`;
  if (typeof feedback.blockReason === 'string' && candidates.length === 0) {
    const why = str(feedback.blockReasonMessage);
    return new GatewayError(
      'TG_ERR_CONTENT_BLOCKED',
      `${who} blocked the prompt: blockReason ${feedback.blockReason}${flagged(feedback.safetyRatings)}${why ? `: ${why}` : ''}.`,
    );
  }
  if (candidates.length === 0) return null;
  for (const c of candidates) {
    const cc = candidateContent(c);
    const reason = rec(c).finishReason;
    const empty = cc.text === '' && cc.toolCalls.length === 0;
    if (!empty || typeof reason !== 'string' || !BLOCKED.has(reason)) return null;
  }
  const c0 = rec(candidates[0]);
  return new GatewayError(
    'TG_ERR_CONTENT_BLOCKED',
    `${who} withheld the answer: finishReason ${String(c0.finishReason)}${flagged(c0.safetyRatings)}.`,
  );
}

/** GenerateContentResponse → chat.completion (usage already normalised). */
export function geminiToChat(response: Json, usage: Usage, model: string): Json {
  const choices = arr(response.candidates).map((c, i) => {
    const cc = candidateContent(c);
    const message: Json = {
      role: 'assistant',
      content: cc.text === '' && cc.toolCalls.length > 0 ? null : cc.text,
    };
    if (cc.toolCalls.length > 0) message.tool_calls = cc.toolCalls;
    if (cc.reasoning !== '') message.reasoning_content = cc.reasoning;
    const index = typeof rec(c).index === 'number' ? (rec(c).index as number) : i;
    return {
      index,
      message,
      finish_reason: mapFinishReason(rec(c).finishReason, cc.toolCalls.length > 0) ?? 'stop',
      logprobs: null,
    };
  });
  return {
    id: str(response.responseId) ?? newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: str(response.modelVersion) ?? model,
    choices,
    usage: usageToOpenAi(usage),
  };
}
