/**
 * @module ledger/spool-line
 * What the spool holds for one event, and how the writer reads it back. A line is normally the
 * stored row itself (snake_case, every field coerced as its column takes it: ledger/spend-row),
 * prefixed with the event's end time: `{"tg_end":<ms>,"request_id":"…",…}`. The writer sends such
 * lines to the database as they are, so an event is built and serialised once, on record, instead
 * of being parsed, rebuilt and serialised again for every batch (the writer's CPU per event was
 * mostly that). The extra `tg_end` key is ignored by jsonb_to_recordset.
 *
 * Any other line (an event from an older version, or one that cannot become a row: no request id,
 * spend that is not a number) takes the long way: parsed, coerced, or dead-lettered with the reason.
 */
import { boundedEvent, fitsAsIs, type SerializeOptions, serializeSpendEvent } from './event-serializer.js';
import type { SpendEvent } from './spend-event.js';
import { SpendEventError, toSpendRow } from './spend-row.js';

export const ROW_LINE_PREFIX = '{"tg_end":';
const ID_KEY = '"request_id":"';

/** One line (without '\n'). Never throws: an event that cannot become a row is kept as the event. */
export function spoolLineOf(event: SpendEvent, opts: SerializeOptions): string {
  try {
    const row = fitsAsIs(event, opts)
      ? toSpendRow(event, { bounded: true, storePrompts: opts.storePrompts })
      : toSpendRow(boundedEvent(event, opts) as unknown as SpendEvent, { bounded: true });
    const json = JSON.stringify(row);
    return `${ROW_LINE_PREFIX}${Date.parse(row.end_time)},${json.slice(1)}`;
  } catch {
    // Not storable as a row (or not serialisable as given): the event line, which the writer
    // coerces or dead-letters with the reason.
    return serializeSpendEvent(event, opts);
  }
}

/** A line ready for the batch statement: its row as JSON text, its request id, and the line itself. */
export interface PreparedRow {
  requestId: string;
  /** JSON text of the row (a row line is used as is). */
  json: string;
  /** The spool line, kept for a dead letter. */
  line: string;
  /** End time of the event (ms), for the writer's "oldest pending" health. */
  endMs: number;
}

/**
 * Reads a spool line back. A row line costs a prefix check and a scan of its request id; any other
 * line is parsed and coerced here. Throws SpendEventError (with the reason) for a line that cannot
 * be stored.
 */
export function prepareLine(line: string): PreparedRow {
  const row = rowLineHead(line);
  if (row) return { ...row, json: line, line };
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch {
    throw new SpendEventError('not JSON');
  }
  if (typeof e !== 'object' || e === null || typeof (e as SpendEvent).requestId !== 'string')
    throw new SpendEventError('not a spend event (no requestId)');
  const r = toSpendRow(e as SpendEvent);
  return { requestId: r.request_id, json: JSON.stringify(r), line, endMs: Date.parse(r.end_time) };
}

/** The end time and request id at the head of a row line, or null for any other line. */
export function rowLineHead(line: string): { endMs: number; requestId: string } | null {
  if (!line.startsWith(ROW_LINE_PREFIX)) return null;
  const comma = line.indexOf(',', ROW_LINE_PREFIX.length);
  if (comma < 0 || !line.startsWith(ID_KEY, comma + 1)) return null;
  const endMs = Number(line.slice(ROW_LINE_PREFIX.length, comma));
  if (!Number.isFinite(endMs)) return null;
  const from = comma + 1 + ID_KEY.length;
  let escaped = false;
  let i = from;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c) {
      escaped = true;
      i++;
    } else if (c === 0x22) break;
  }
  if (i >= line.length) return null;
  try {
    const requestId = escaped ? (JSON.parse(`"${line.slice(from, i)}"`) as string) : line.slice(from, i);
    return requestId === '' ? null : { endMs, requestId };
  } catch {
    return null;
  }
}
