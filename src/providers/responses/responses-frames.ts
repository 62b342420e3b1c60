/**
 * @module providers/responses/responses-frames
 * Responses API stream frames as the gateway writes them: `event: <type>` + `data: <json>` with a
 * running sequence_number; the terminal `response.completed` whose usage carries `cost` as an exact
 * JSON number; and the `error` event (OpenAI's in-stream error shape) for failures after the start.
 */
import type { GatewayError } from '../../errors.js';
import { exact, stringifyExact } from '../../pricing/exact-json.js';
import type { Json } from '../shared/json.js';
import type { StreamFinal } from '../types.js';

export interface FrameWriter {
  /** One event; `sequence_number` is set here. */
  event(type: string, data: Json): string;
  /** The next sequence number (for frames another writer started numbering). */
  seq: number;
}

export function createFrameWriter(start = 0): FrameWriter {
  const w: FrameWriter = {
    seq: start,
    event(type, data) {
      const payload = { type, ...data, sequence_number: w.seq++ };
      return `event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`;
    },
  };
  return w;
}

/** `response.usage` with the exact cost (and `estimated` when the gateway counted the tokens). */
export function usageWithCost(usage: Json, final: StreamFinal): Json {
  const out: Json = { ...usage, cost: exact(final.costText) };
  if (final.usage.estimated) out.estimated = true;
  return out;
}

/** The terminal event (`response.completed` or `response.incomplete`) written with exact money. */
export function terminalFrame(type: string, response: Json, seq: number): string {
  return `event: ${type}\ndata: ${stringifyExact({ type, response, sequence_number: seq })}\n\n`;
}

/** OpenAI's in-stream error event for a call that failed after the stream started. */
export function responsesErrorFrame(error: GatewayError, seq: number): string {
  const e = error.toJSON().error;
  const data = { type: 'error', code: e.code, message: e.message, param: e.param, sequence_number: seq };
  return `event: error\ndata: ${JSON.stringify(data)}\n\n`;
}
