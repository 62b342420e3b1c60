/**
 * @module providers/responses/response-items
 * Input items as the Responses API lists them (`GET /responses/{id}/input_items`): a string input
 * becomes one user message with an `input_text` part, string contents become parts, and every item gets
 * an id. Also the paging of that list (limit, order, after/before cursors), OpenAI's way.
 */
import { newId } from '../shared/ids.js';
import { isRecord, type Json } from '../shared/json.js';

const ID_PREFIX: Readonly<Record<string, string>> = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  reasoning: 'rs_',
};

function textPart(role: unknown, text: string): Json {
  return { type: role === 'assistant' ? 'output_text' : 'input_text', text };
}

export function normalizeInputItems(input: unknown): Json[] {
  if (typeof input === 'string')
    return [{ id: newId('msg_'), type: 'message', role: 'user', content: [textPart('user', input)] }];
  const out: Json[] = [];
  for (const item of Array.isArray(input) ? input : []) {
    if (!isRecord(item)) continue;
    const type = typeof item.type === 'string' ? item.type : 'message';
    const copy: Json = { ...item, type };
    if (type === 'message' && typeof item.content === 'string')
      copy.content = [textPart(item.role, item.content)];
    if (typeof copy.id !== 'string') copy.id = newId(ID_PREFIX[type] ?? 'item_');
    out.push(copy);
  }
  return out;
}

export interface ListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
}

/** One page of items, newest first by default, as OpenAI's list objects. */
export function listPage(items: readonly Json[], q: ListQuery): Json {
  let list = q.order === 'asc' ? [...items] : [...items].reverse();
  if (q.after !== undefined) {
    const i = list.findIndex((x) => x.id === q.after);
    list = i === -1 ? [] : list.slice(i + 1);
  }
  if (q.before !== undefined) {
    const i = list.findIndex((x) => x.id === q.before);
    list = i === -1 ? [] : list.slice(0, i);
  }
  const data = list.slice(0, q.limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: list.length > data.length,
  };
}
