/**
 * @module providers/shared/messages
 * Reading OpenAI chat messages: the text of a content value, and a whole conversation flattened
 * into one prompt (for upstreams that only take a prompt: Ollama /api/generate, /v1/completions).
 */
import { isRecord } from './json.js';

/** The text of an OpenAI message `content` (string or array of parts); non-text parts are skipped. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (typeof part === 'string') out += part;
    else if (isRecord(part) && typeof part.text === 'string') out += part.text;
  }
  return out;
}

const ROLE_LABEL: Record<string, string> = {
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
  function: 'Tool',
};

/**
 * System messages become `system`; the rest one prompt. A lone user message is sent as its text;
 * longer conversations as `Role: text` turns ending with `Assistant:` so the model answers next.
 */
export function messagesToPrompt(messages: unknown): { system: string | undefined; prompt: string } {
  const list = Array.isArray(messages) ? messages.filter(isRecord) : [];
  const system: string[] = [];
  const turns: { role: string; text: string }[] = [];
  for (const m of list) {
    const role = typeof m.role === 'string' ? m.role : 'user';
    const text = contentText(m.content);
    if (role === 'system' || role === 'developer') system.push(text);
    else turns.push({ role, text });
  }
  const prompt =
    turns.length === 1 && turns[0].role === 'user'
      ? turns[0].text
      : `${turns.map((t) => `${ROLE_LABEL[t.role] ?? t.role}: ${t.text}`).join('\n\n')}\n\nAssistant:`;
  return { system: system.length > 0 ? system.join('\n\n') : undefined, prompt };
}
