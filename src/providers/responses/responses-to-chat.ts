/**
 * @module providers/responses/responses-to-chat
 * OpenAI Responses API request → chat completions request, for providers without a native Responses
 * endpoint (as LiteLLM's litellm_completion_transformation does): `instructions` → a system message,
 * `input` (a string, or message / function_call / function_call_output items) → messages, function tools
 * → chat tools, `tool_choice`, `max_output_tokens` → `max_tokens`, `text.format` → `response_format`,
 * `reasoning.effort` → `reasoning_effort`. Responses-only fields (store, metadata, truncation…) are not
 * sent to chat upstreams. Built-in tools (web_search, file_search…) have no chat equivalent: a clear 400.
 */
import { GatewayError } from '../../errors.js';
import { isRecord, type Json } from '../shared/json.js';

/** Sampling fields with the same name and meaning in both APIs. */
const SAME = ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'service_tier'] as const;

function contentPart(part: unknown): Json | undefined {
  if (typeof part === 'string') return { type: 'text', text: part };
  if (!isRecord(part)) return undefined;
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text } : undefined;
    case 'refusal':
      return typeof part.refusal === 'string' ? { type: 'text', text: part.refusal } : undefined;
    case 'input_image': {
      const url = typeof part.image_url === 'string' ? part.image_url : undefined;
      if (url === undefined) {
        throw new GatewayError(
          'TG_ERR_UNSUPPORTED',
          'input_image with a file_id cannot be translated to chat completions: send image_url (a URL or data URL).',
          { param: 'input' },
        );
      }
      return { type: 'image_url', image_url: { url, detail: part.detail ?? 'auto' } };
    }
    case 'input_file': {
      const file: Json = {};
      if (typeof part.file_data === 'string') file.file_data = part.file_data;
      if (typeof part.file_id === 'string') file.file_id = part.file_id;
      if (typeof part.filename === 'string') file.filename = part.filename;
      return { type: 'file', file };
    }
    default:
      return undefined;
  }
}

function chatContent(content: unknown, role: string): unknown {
  if (typeof content === 'string') return content;
  const parts = (Array.isArray(content) ? content : []).map(contentPart).filter((p) => p !== undefined);
  // Assistant turns are plain text in chat completions.
  if (role === 'assistant') return parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
  return parts;
}

function outputText(output: unknown): unknown {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    const parts = output.map(contentPart).filter((p) => p !== undefined);
    return parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('') : parts;
  }
  return JSON.stringify(output ?? '');
}

/** Responses `input` → chat messages (consecutive function calls merged into one assistant turn). */
export function inputToMessages(input: unknown, instructions: unknown): Json[] {
  const messages: Json[] = [];
  if (typeof instructions === 'string' && instructions !== '')
    messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
    return messages;
  }
  for (const item of Array.isArray(input) ? input : []) {
    if (!isRecord(item)) continue;
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = typeof item.role === 'string' ? item.role : 'user';
      messages.push({ role, content: chatContent(item.content, role) });
    } else if (type === 'function_call') {
      const call = {
        id: String(item.call_id ?? item.id ?? ''),
        type: 'function',
        function: { name: String(item.name ?? ''), arguments: String(item.arguments ?? '') },
      };
      // One assistant turn: its text (if any) and every tool call that follows it.
      const last = messages[messages.length - 1];
      if (last?.role === 'assistant') {
        if (Array.isArray(last.tool_calls)) last.tool_calls.push(call);
        else last.tool_calls = [call];
        if (last.content === '') last.content = null;
      } else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      messages.push({
        role: 'tool',
        tool_call_id: String(item.call_id ?? ''),
        content: outputText(item.output),
      });
    } else if (type === 'reasoning' || type === 'item_reference') {
      // Reasoning items are the model's own; references point at stored items the upstream cannot see.
    } else {
      throw new GatewayError(
        'TG_ERR_UNSUPPORTED',
        `Input items of type "${String(type)}" cannot be translated to chat completions.`,
        {
          param: 'input',
        },
      );
    }
  }
  return messages;
}

function convertTools(tools: unknown): Json[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.filter(isRecord).map((t) => {
    if (t.type !== 'function') {
      throw new GatewayError(
        'TG_ERR_UNSUPPORTED',
        `Built-in tool "${String(t.type)}" is only available on providers with a native Responses API; this model is served through chat completions (function tools only).`,
        { param: 'tools' },
      );
    }
    const fn: Json = { name: t.name };
    if (typeof t.description === 'string') fn.description = t.description;
    fn.parameters = isRecord(t.parameters) ? t.parameters : { type: 'object', properties: {} };
    if (typeof t.strict === 'boolean') fn.strict = t.strict;
    return { type: 'function', function: fn };
  });
}

function convertToolChoice(choice: unknown): unknown {
  if (typeof choice === 'string') return choice;
  if (!isRecord(choice)) return undefined;
  if (choice.type === 'function' && typeof choice.name === 'string')
    return { type: 'function', function: { name: choice.name } };
  if (choice.type === 'auto' || choice.type === 'none' || choice.type === 'required') return choice.type;
  return undefined;
}

function responseFormat(text: unknown): Json | undefined {
  const format = isRecord(text) && isRecord(text.format) ? text.format : undefined;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema: Json = { name: format.name ?? 'response', schema: format.schema };
    if (typeof format.strict === 'boolean') schema.strict = format.strict;
    if (typeof format.description === 'string') schema.description = format.description;
    return { type: 'json_schema', json_schema: schema };
  }
  return undefined;
}

/** The chat completions body for a Responses API body (model and stream handled by the chat handler). */
export function responsesToChat(body: Json): Json {
  const out: Json = { model: body.model, messages: inputToMessages(body.input, body.instructions) };
  for (const k of SAME) if (body[k] !== undefined && body[k] !== null) out[k] = body[k];
  if (typeof body.max_output_tokens === 'number') out.max_tokens = body.max_output_tokens;
  const tools = convertTools(body.tools);
  if (tools) out.tools = tools;
  const choice = convertToolChoice(body.tool_choice);
  if (choice !== undefined && tools) out.tool_choice = choice;
  const format = responseFormat(body.text);
  if (format) out.response_format = format;
  const effort = isRecord(body.reasoning) ? body.reasoning.effort : undefined;
  if (typeof effort === 'string') out.reasoning_effort = effort;
  if (body.stream === true) out.stream = true;
  return out;
}
