/**
 * @module gateway/usage-estimate
 * Counts what the upstream did not report (or what a cut stream generated), flagged as estimated, so no
 * answered call is ever billed $0 for want of a usage object.
 */
import { emptyUsage, type Usage } from '../pricing/index.js';
import { countPromptTokens, countTextTokens } from '../providers/token-count.js';

/**
 * `partial` is whatever the upstream reported before it stopped; estimated counts never go below it.
 * `model` picks the tokenizer.
 */
export function estimateUsage(
  body: Record<string, unknown>,
  model: string,
  text: string,
  partial: Usage | null,
): Usage {
  const input = partial?.inputTokens || countPromptTokens(body, model);
  const output = Math.max(partial?.outputTokens ?? 0, countTextTokens(text, model));
  return {
    ...emptyUsage(),
    ...(partial ?? {}),
    inputTokens: input,
    outputTokens: output,
    estimated: true,
  };
}

/** The generated text of a non-streaming OpenAI-shaped response (for estimating its usage). */
export function responseText(body: Record<string, unknown>): string {
  const choices = Array.isArray(body.choices) ? (body.choices as Array<Record<string, unknown>>) : [];
  let text = '';
  // Responses API: output_text parts of message items and function call arguments.
  for (const item of Array.isArray(body.output) ? (body.output as Array<Record<string, unknown>>) : []) {
    if (typeof item?.arguments === 'string') text += item.arguments;
    for (const part of Array.isArray(item?.content) ? (item.content as Array<{ text?: unknown }>) : [])
      if (typeof part?.text === 'string') text += part.text;
  }
  for (const c of choices) {
    const m = c.message as { content?: unknown } | undefined;
    if (typeof m?.content === 'string') text += m.content;
    else if (typeof c.text === 'string') text += c.text;
  }
  return text;
}
