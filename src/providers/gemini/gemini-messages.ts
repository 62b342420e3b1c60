/**
 * @module providers/gemini/gemini-messages
 * OpenAI chat messages → Gemini `contents` and `systemInstruction`. System/developer messages become the
 * system instruction; user → `user`, assistant → `model` (tool calls as `functionCall` parts), tool results
 * → `functionResponse` parts in a `user` turn; consecutive turns of one role are merged (parallel function
 * responses must travel in one turn). Images: data URLs → `inlineData`, other URLs (https, gs://) →
 * `fileData` (Google fetches them; the gateway never downloads client-supplied URLs).
 *
 * Thought signatures: Gemini 3 requires the `thoughtSignature` of a function call to come back with it in
 * the next turn. OpenAI clients only keep the tool call id, so (as LiteLLM does) the signature rides in the
 * id: `call_<random>__thought__<signature>`.
 */
import { GatewayError } from '../../errors.js';
import { isRecord, type Json } from '../shared/json.js';
import { contentText } from '../shared/messages.js';

export const THOUGHT_SEPARATOR = '__thought__';

/** The thought signature carried in a tool call id, if any. */
export function signatureFromId(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const i = id.indexOf(THOUGHT_SEPARATOR);
  return i === -1 ? undefined : id.slice(i + THOUGHT_SEPARATOR.length);
}

const EXT_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  txt: 'text/plain',
};

/** A MIME type from a URL's file extension (Gemini requires one on fileData); images default to JPEG. */
export function mimeFromUrl(url: string, fallback = 'image/jpeg'): string {
  const path = url.split(/[?#]/)[0];
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && EXT_MIME[ext]) || fallback;
}

/** `data:` URL or remote URL → an inlineData / fileData part. */
export function mediaPart(url: string, mime?: string): Json {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (m) return { inlineData: { mimeType: m[1], data: m[2] } };
  return { fileData: { mimeType: mime ?? mimeFromUrl(url), fileUri: url } };
}

function userParts(content: unknown): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const parts: Json[] = [];
  for (const part of content) {
    if (typeof part === 'string') {
      parts.push({ text: part });
      continue;
    }
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') parts.push({ text: part.text });
    else if (part.type === 'image_url') {
      const iu = part.image_url;
      const url = typeof iu === 'string' ? iu : isRecord(iu) && typeof iu.url === 'string' ? iu.url : '';
      const format = isRecord(iu) && typeof iu.format === 'string' ? iu.format : undefined;
      if (url !== '') parts.push(mediaPart(url, format));
    } else if (part.type === 'input_audio' && isRecord(part.input_audio)) {
      const a = part.input_audio;
      if (typeof a.data === 'string')
        parts.push({ inlineData: { mimeType: `audio/${String(a.format ?? 'wav')}`, data: a.data } });
    } else if (part.type === 'file' && isRecord(part.file)) {
      const f = part.file;
      const mime = typeof f.format === 'string' ? f.format : undefined;
      if (typeof f.file_data === 'string') parts.push(mediaPart(f.file_data, mime));
      else if (typeof f.file_id === 'string') parts.push(mediaPart(f.file_id, mime ?? 'application/pdf'));
    }
  }
  return parts;
}

function parseArgs(args: unknown, name: string): Json {
  if (isRecord(args)) return args;
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const v = JSON.parse(args);
    if (isRecord(v)) return v;
  } catch {
    // fall through
  }
  throw new GatewayError(
    'TG_ERR_BAD_REQUEST',
    `tool call "${name}": function.arguments must be a JSON object (Gemini takes arguments as an object).`,
    { param: 'messages' },
  );
}

function modelParts(m: Json): Json[] {
  const parts = userParts(m.content);
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (!isRecord(tc)) continue;
      const fn = isRecord(tc.function) ? tc.function : {};
      const name = String(fn.name ?? '');
      const part: Json = { functionCall: { name, args: parseArgs(fn.arguments, name) } };
      const sig = signatureFromId(tc.id);
      if (sig) part.thoughtSignature = sig;
      parts.push(part);
    }
  }
  return parts;
}

function toolResponse(content: unknown): Json {
  const text = contentText(content);
  try {
    const v = JSON.parse(text);
    if (isRecord(v)) return v;
  } catch {
    // not JSON: wrap the text
  }
  return { content: text };
}

export interface GeminiConversation {
  systemInstruction: Json | undefined;
  contents: Json[];
}

/** OpenAI `messages` → Gemini contents + system instruction. */
export function toGeminiContents(messages: unknown): GeminiConversation {
  const system: Json[] = [];
  const contents: { role: 'user' | 'model'; parts: Json[] }[] = [];
  const toolNames = new Map<string, string>();
  const add = (role: 'user' | 'model', parts: Json[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of Array.isArray(messages) ? messages : []) {
    if (!isRecord(m)) continue;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...userParts(m.content).filter((p) => typeof p.text === 'string'));
        break;
      case 'assistant':
        for (const tc of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
          if (isRecord(tc) && typeof tc.id === 'string' && isRecord(tc.function))
            toolNames.set(tc.id, String(tc.function.name ?? ''));
        }
        add('model', modelParts(m));
        break;
      case 'tool':
      case 'function': {
        const name =
          (typeof m.tool_call_id === 'string' ? toolNames.get(m.tool_call_id) : undefined) ??
          (typeof m.name === 'string' ? m.name : '');
        add('user', [{ functionResponse: { name, response: toolResponse(m.content) } }]);
        break;
      }
      default:
        add('user', userParts(m.content));
    }
  }
  // Gemini needs at least one content: a system-only conversation is sent as the user's turn.
  if (contents.length === 0 && system.length > 0)
    return { systemInstruction: undefined, contents: [{ role: 'user', parts: system }] };
  return { systemInstruction: system.length > 0 ? { parts: system } : undefined, contents };
}
