/**
 * @module cache/stream-assemble
 * Rebuilds the non-streamed response body from the SSE text a streaming client received (OpenAI chat
 * and text completions), so a streamed answer can be cached and later served to either kind of
 * client. Deltas are merged per choice (content, tool calls by index, finish reason); the gateway's
 * own fields on the usage chunk (`cost`, `request_id`, `estimated`) are dropped. Returns null for
 * anything it cannot rebuild faithfully (an error frame, an unknown shape).
 */

import { createSseParser } from '../providers/shared/sse.js';
import type { CallType } from '../providers/types.js';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface ToolCall {
  id?: unknown;
  type?: unknown;
  name: string;
  arguments: string;
}

interface Choice {
  index: number;
  role: unknown;
  content: string | null;
  text: string;
  toolCalls: ToolCall[];
  finish: unknown;
}

export function assembleStream(callType: CallType, sseText: string): string | null {
  if (callType !== 'chat' && callType !== 'completion') return null;
  const parser = createSseParser();
  const events = [...parser.push(sseText), ...parser.end()];
  let head: Json | null = null;
  let usage: Json | null = null;
  let done = false;
  const choices = new Map<number, Choice>();
  for (const e of events) {
    if (e.data === '[DONE]') {
      done = true;
      continue;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(e.data);
    } catch {
      return null;
    }
    if (!isRecord(chunk) || chunk.error !== undefined) return null;
    head ??= { id: chunk.id, created: chunk.created, model: chunk.model };
    if (isRecord(chunk.usage)) {
      const { cost: _c, request_id: _r, estimated, ...rest } = chunk.usage;
      if (estimated === true) return null;
      usage = rest;
    }
    if (!Array.isArray(chunk.choices)) continue;
    for (const c of chunk.choices) {
      if (!isRecord(c)) return null;
      const index = typeof c.index === 'number' ? c.index : 0;
      let ch = choices.get(index);
      if (!ch) {
        ch = { index, role: 'assistant', content: null, text: '', toolCalls: [], finish: null };
        choices.set(index, ch);
      }
      if (c.finish_reason !== undefined && c.finish_reason !== null) ch.finish = c.finish_reason;
      if (typeof c.text === 'string') ch.text += c.text;
      const d = c.delta;
      if (!isRecord(d)) continue;
      if (d.role !== undefined) ch.role = d.role;
      if (typeof d.content === 'string') ch.content = (ch.content ?? '') + d.content;
      if (Array.isArray(d.tool_calls)) {
        for (const t of d.tool_calls) {
          if (!isRecord(t)) return null;
          const i = typeof t.index === 'number' ? t.index : ch.toolCalls.length;
          ch.toolCalls[i] ??= { name: '', arguments: '' };
          const tc = ch.toolCalls[i];
          if (t.id !== undefined) tc.id = t.id;
          if (t.type !== undefined) tc.type = t.type;
          const f = isRecord(t.function) ? t.function : {};
          if (typeof f.name === 'string') tc.name += f.name;
          if (typeof f.arguments === 'string') tc.arguments += f.arguments;
        }
      }
    }
  }
  if (!done || !head || choices.size === 0) return null;
  const list = [...choices.values()].sort((a, b) => a.index - b.index);
  if (callType === 'completion') {
    return JSON.stringify({
      ...head,
      object: 'text_completion',
      choices: list.map((c) => ({ index: c.index, text: c.text, logprobs: null, finish_reason: c.finish })),
      ...(usage ? { usage } : {}),
    });
  }
  return JSON.stringify({
    ...head,
    object: 'chat.completion',
    choices: list.map((c) => {
      const message: Json = { role: c.role, content: c.content };
      if (c.toolCalls.length)
        message.tool_calls = c.toolCalls.map((t) => ({
          id: t.id,
          type: t.type ?? 'function',
          function: { name: t.name, arguments: t.arguments },
        }));
      return { index: c.index, message, finish_reason: c.finish };
    }),
    ...(usage ? { usage } : {}),
  });
}
