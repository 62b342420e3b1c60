/**
 * @module mock-upstream/reply
 * What the mock answers, independent of wire format: the text (echoing the last user message),
 * its stream pieces, an optional tool call, and realistic token counts (tokenizer-counted prompt
 * and completion, plus the cache/reasoning tokens asked for by the switches).
 */

import { splitForStream } from '../providers/mock/mock-content.js';
import { isRecord, type Json } from '../providers/shared/json.js';
import { contentText } from '../providers/shared/messages.js';
import { countPromptTokens, countTextTokens } from '../providers/token-count.js';
import type { Switches } from './switches.js';

export interface ToolCallPlan {
  id: string;
  name: string;
  args: Json;
}

export interface Reply {
  text: string;
  pieces: string[];
  toolCall?: ToolCallPlan;
  /** Prompt tokens excluding cache reads/writes. */
  freshPromptTokens: number;
  cacheRead: number;
  cacheWrite: number;
  /** Completion tokens including reasoning. */
  completionTokens: number;
  reasoning: number;
}

let seq = 0;

function lastUserText(body: Json): string {
  if (Array.isArray(body.messages)) {
    for (let i = body.messages.length - 1; i >= 0; i--) {
      const m = body.messages[i];
      if (isRecord(m) && m.role === 'user') {
        const t = contentText(m.content);
        if (t !== '') return t;
      }
    }
  }
  if (typeof body.prompt === 'string') return body.prompt;
  if (Array.isArray(body.prompt) && typeof body.prompt[0] === 'string') return body.prompt[0];
  return '';
}

/** Mock argument values from a JSON schema's properties. */
function argsFor(schema: unknown): Json {
  const args: Json = {};
  const props = isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
  for (const [k, v] of Object.entries(props)) {
    const type = isRecord(v) ? v.type : undefined;
    args[k] =
      type === 'number' || type === 'integer'
        ? 1
        : type === 'boolean'
          ? true
          : type === 'array'
            ? []
            : 'mock';
  }
  return args;
}

/** First (or forced) tool of an OpenAI, Anthropic or Ollama tools list. */
function pickTool(body: Json): { name: string; schema: unknown } | undefined {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  const tools = body.tools.filter(isRecord).map((t) => {
    const fn = isRecord(t.function) ? t.function : t;
    return { name: String(fn.name), schema: fn.parameters ?? fn.input_schema };
  });
  const choice = body.tool_choice;
  const forced = isRecord(choice)
    ? isRecord(choice.function)
      ? choice.function.name
      : choice.name
    : undefined;
  return tools.find((t) => t.name === forced) ?? tools[0];
}

function toolForced(body: Json): boolean {
  const c = body.tool_choice;
  return (
    c === 'required' || (isRecord(c) && (c.type === 'function' || c.type === 'tool' || c.type === 'any'))
  );
}

export function planReply(body: Json, model: string, sw: Switches, idPrefix: string): Reply {
  const said = lastUserText(body).trim().slice(0, 120);
  const tool = sw.toolCall || toolForced(body) ? pickTool(body) : undefined;
  const text = tool
    ? `Calling ${tool.name}.`
    : said === ''
      ? 'Hello from the mock upstream.'
      : `Hello from the mock upstream. You said: ${said}`;
  const toolCall = tool
    ? {
        id: `${idPrefix}${(++seq).toString(36).padStart(8, '0')}`,
        name: tool.name,
        args: argsFor(tool.schema),
      }
    : undefined;
  const toolTokens = toolCall ? countTextTokens(JSON.stringify(toolCall.args), model) + 5 : 0;
  return {
    text,
    pieces: splitForStream(text),
    toolCall,
    freshPromptTokens: countPromptTokens(body, model) + sw.extraPrompt,
    cacheRead: sw.cacheRead,
    cacheWrite: sw.cacheWrite,
    completionTokens: countTextTokens(text, model) + toolTokens + sw.reasoning,
    reasoning: sw.reasoning,
  };
}

/** OpenAI usage object: prompt includes cached tokens, completion includes reasoning. */
export function openAiUsage(r: Reply): Json {
  const prompt = r.freshPromptTokens + r.cacheRead + r.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: r.completionTokens,
    total_tokens: prompt + r.completionTokens,
    prompt_tokens_details: { cached_tokens: r.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: r.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
