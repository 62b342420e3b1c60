/**
 * @module providers/shared/media-usage
 * Usage of the audio, speech and rerank endpoints, normalised into Usage:
 * - transcriptions/translations: token usage (gpt-4o-transcribe: `usage.type = "tokens"`, audio tokens
 *   inside input_tokens), else the audio's length, from the upstream's `usage.seconds` (whisper), then
 *   verbose_json's `duration`, then the uploaded file itself (read with music-metadata by the HTTP layer);
 *   the source is named in the cost explanation. With none of them the usage is flagged estimated and
 *   per-second prices fall back to the request's duration.
 * - speech: the input's characters (`input_cost_per_character`) and its text tokens (token-priced TTS).
 * - rerank: Cohere `meta.billed_units.search_units` (× `input_cost_per_query`), or Jina/Together token
 *   usage; a rerank that reports neither is one query.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { countTextTokens } from '../token-count.js';
import type { UploadedFile } from '../types.js';
import { count, isRecord, type Json, rec } from './json.js';

export function transcriptionUsage(
  json: unknown,
  files: readonly UploadedFile[],
): { usage: Usage; rawUsage: unknown } {
  const usage = emptyUsage();
  const body: Json = isRecord(json) ? json : {};
  const raw = rec(body.usage);
  if (raw.type === 'tokens' || typeof raw.input_tokens === 'number') {
    const details = rec(raw.input_token_details ?? raw.input_tokens_details);
    usage.inputTokens = count(raw.input_tokens);
    usage.audioInputTokens = Math.min(usage.inputTokens, count(details.audio_tokens));
    usage.outputTokens = count(raw.output_tokens);
    return { usage, rawUsage: body.usage };
  }
  if (typeof raw.seconds === 'number' && raw.seconds >= 0) {
    usage.audioDuration = { ms: Math.round(raw.seconds * 1000), source: "the upstream's usage.seconds" };
  } else if (typeof body.duration === 'number' && body.duration >= 0) {
    usage.audioDuration = { ms: Math.round(body.duration * 1000), source: 'verbose_json duration' };
  } else {
    const file = files.find((f) => f.durationMs !== undefined);
    if (file?.durationMs !== undefined)
      usage.audioDuration = { ms: file.durationMs, source: 'the uploaded file (music-metadata)' };
    else usage.estimated = true;
  }
  return {
    usage,
    rawUsage: body.usage ?? (typeof body.duration === 'number' ? { duration: body.duration } : null),
  };
}

/** Characters are Unicode code points, as OpenAI (and LiteLLM's len()) count them. */
export function speechUsage(body: Json, model: string): Usage {
  const text = typeof body.input === 'string' ? body.input : '';
  const usage = emptyUsage();
  usage.inputCharacters = [...text].length;
  usage.inputTokens = countTextTokens(text, model);
  return usage;
}

export function rerankUsage(body: Json): { usage: Usage; rawUsage: unknown } {
  const usage = emptyUsage();
  const billed = rec(rec(body.meta).billed_units);
  if (typeof billed.search_units === 'number') {
    usage.queries = count(billed.search_units);
    return { usage, rawUsage: billed };
  }
  const u = rec(body.usage);
  if (typeof u.total_tokens === 'number' || typeof u.prompt_tokens === 'number') {
    usage.inputTokens = count(u.total_tokens ?? u.prompt_tokens);
    usage.queries = 1;
    return { usage, rawUsage: body.usage };
  }
  usage.queries = 1;
  return { usage, rawUsage: null };
}
