/**
 * @module ledger/dead-letters
 * Spend events the ledger could not store. Each is appended to `<spool>/dead-letter.jsonl` first
 * (synchronous, local: nothing is lost if the database is the problem), then copied to
 * `tg_spend_dead_letters` (idempotent by id) so an operator sees them from any replica and can
 * replay them once the cause is fixed. A replay writes the event with the normal batch writer
 * (idempotent by request_id) and marks the row replayed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Db } from '../store/db.js';
import { writeSpendBatch, writeSpendRows } from './batch-writer.js';
import type { SpendEvent } from './spend-event.js';
import { ROW_LINE_PREFIX, rowLineHead } from './spool-line.js';

export interface DeadLetter {
  id: string;
  /** ISO-8601. */
  at: string;
  reason: string;
  /** The spool line as it was (JSON of the event, or whatever could not be parsed). */
  line: string;
}

export const DEAD_LETTER_FILE = 'dead-letter.jsonl';

/** Reasons are ours, but a database message may quote data: keep them short. */
const MAX_REASON = 500;

export function newDeadLetter(line: string, reason: string, now = Date.now()): DeadLetter {
  return { id: randomUUID(), at: new Date(now).toISOString(), reason: reason.slice(0, MAX_REASON), line };
}

/** Records of a dead-letter file (older records without an id get a stable one). Never throws. */
export function readDeadLetterFile(path: string): DeadLetter[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: DeadLetter[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let r: Partial<DeadLetter>;
    try {
      r = JSON.parse(raw) as Partial<DeadLetter>;
    } catch {
      r = { reason: 'unreadable dead-letter record', line: raw };
    }
    const line = typeof r.line === 'string' ? r.line : raw;
    const at = typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) ? r.at : new Date(0).toISOString();
    const id =
      typeof r.id === 'string' && r.id !== ''
        ? r.id
        : createHash('sha256').update(`${at}\n${line}`).digest('hex').slice(0, 32);
    out.push({ id, at, reason: String(r.reason ?? 'unknown').slice(0, MAX_REASON), line });
  }
  return out;
}

/** The request id inside a line, when it is a JSON event or a row line (ledger/spool-line). */
export function requestIdOf(line: string): string | null {
  const head = rowLineHead(line);
  if (head) return head.requestId;
  try {
    const e = JSON.parse(line) as { requestId?: unknown };
    return typeof e?.requestId === 'string' ? e.requestId : null;
  } catch {
    return null;
  }
}

/** PostgreSQL text refuses NUL; a torn line may hold anything. */
function pgText(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\ufffd') : s;
}

/** Copies records to tg_spend_dead_letters; existing ids are left alone. */
export async function storeDeadLetters(db: Db, recs: readonly DeadLetter[]): Promise<void> {
  for (const r of recs) {
    await db.query(
      `INSERT INTO tg_spend_dead_letters (id, request_id, reason, line, line_bytes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [r.id, requestIdOf(r.line), pgText(r.reason), pgText(r.line), Buffer.byteLength(r.line, 'utf8'), r.at],
    );
  }
}

export interface DeadLetterView {
  id: string;
  request_id: string | null;
  reason: string;
  line_bytes: number;
  created_at: string;
  replayed_at: string | null;
  replay_attempts: number;
  last_error: string | null;
  /** The billing fields of the event, when the line is one (never the whole metadata). */
  event: Record<string, unknown> | null;
}

const SUMMARY_FIELDS = [
  'requestId',
  'spend',
  'status',
  'modelGroup',
  'apiKey',
  'keyAlias',
  'user',
  'teamId',
  'endUser',
  'startTime',
  'endTime',
  'promptTokens',
  'completionTokens',
] as const;

/** The spend-log column each summary field is stored in, for a row line. */
const ROW_COLUMN: Record<(typeof SUMMARY_FIELDS)[number], string> = {
  requestId: 'request_id',
  spend: 'spend',
  status: 'status',
  modelGroup: 'model_group',
  apiKey: 'api_key',
  keyAlias: 'key_alias',
  user: 'user',
  teamId: 'team_id',
  endUser: 'end_user',
  startTime: 'start_time',
  endTime: 'end_time',
  promptTokens: 'prompt_tokens',
  completionTokens: 'completion_tokens',
};

/** The event's billing fields (camelCase, times in ms) from an event line or a row line. */
function summary(line: string): Record<string, unknown> | null {
  try {
    const e = JSON.parse(line) as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return null;
    const isRow = line.startsWith(ROW_LINE_PREFIX);
    const out: Record<string, unknown> = {};
    for (const f of SUMMARY_FIELDS) {
      const k = isRow ? ROW_COLUMN[f] : f;
      if (!(k in e)) continue;
      const v = e[k];
      out[f] = isRow && (f === 'startTime' || f === 'endTime') && typeof v === 'string' ? Date.parse(v) : v;
    }
    return out;
  } catch {
    return null;
  }
}

function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

interface Row {
  id: string;
  request_id: string | null;
  reason: string;
  line: string;
  line_bytes: number;
  created_at: unknown;
  replayed_at: unknown;
  replay_attempts: number;
  last_error: string | null;
}

function view(r: Row): DeadLetterView {
  return {
    id: r.id,
    request_id: r.request_id,
    reason: r.reason,
    line_bytes: Number(r.line_bytes),
    created_at: iso(r.created_at) ?? '',
    replayed_at: iso(r.replayed_at),
    replay_attempts: Number(r.replay_attempts),
    last_error: r.last_error,
    event: summary(r.line),
  };
}

export interface ListOptions {
  /** Also list rows already replayed. */
  all?: boolean;
  limit: number;
}

export async function listDeadLetters(
  db: Db,
  opts: ListOptions,
): Promise<{ data: DeadLetterView[]; pending: number }> {
  const r = await db.query<Row>(
    `SELECT * FROM tg_spend_dead_letters ${opts.all ? '' : 'WHERE replayed_at IS NULL'}
     ORDER BY created_at, id LIMIT $1`,
    [opts.limit],
  );
  const n = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM tg_spend_dead_letters WHERE replayed_at IS NULL',
  );
  return { data: r.rows.map(view), pending: Number(n.rows[0]?.n ?? 0) };
}

export interface ReplayResult {
  replayed: Array<{ id: string; request_id: string | null; inserted: boolean }>;
  failed: Array<{ id: string; request_id: string | null; error: string }>;
}

/**
 * Writes pending dead letters again (all, or the given ids), one event per statement so that one
 * that still fails does not hold back the others. Idempotent: an event whose request id is already
 * stored counts as replayed without changing any total.
 */
export async function replayDeadLetters(
  db: Db,
  opts: { ids?: readonly string[]; limit: number },
): Promise<ReplayResult> {
  const rows =
    opts.ids && opts.ids.length > 0
      ? await db.query<Row>(
          `SELECT * FROM tg_spend_dead_letters WHERE replayed_at IS NULL AND id = ANY($1::text[])
           ORDER BY created_at, id LIMIT $2`,
          [opts.ids, opts.limit],
        )
      : await db.query<Row>(
          'SELECT * FROM tg_spend_dead_letters WHERE replayed_at IS NULL ORDER BY created_at, id LIMIT $1',
          [opts.limit],
        );
  const out: ReplayResult = { replayed: [], failed: [] };
  for (const r of rows.rows) {
    // A row line goes to the statement as it is; an event line is coerced first.
    const head = rowLineHead(r.line);
    let write: () => Promise<{ inserted: number }>;
    if (head) write = () => writeSpendRows(db, [{ requestId: head.requestId, json: r.line }]);
    else {
      let event: SpendEvent;
      try {
        event = JSON.parse(r.line) as SpendEvent;
      } catch {
        await markFailed(db, r.id, 'not JSON');
        out.failed.push({ id: r.id, request_id: r.request_id, error: 'not JSON' });
        continue;
      }
      write = () => writeSpendBatch(db, [event]);
    }
    try {
      const res = await write();
      await db.query(
        'UPDATE tg_spend_dead_letters SET replayed_at = now(), replay_attempts = replay_attempts + 1, last_error = NULL WHERE id = $1',
        [r.id],
      );
      out.replayed.push({ id: r.id, request_id: r.request_id, inserted: res.inserted > 0 });
    } catch (err) {
      const msg = String((err as Error)?.message ?? err).slice(0, MAX_REASON);
      await markFailed(db, r.id, msg);
      out.failed.push({ id: r.id, request_id: r.request_id, error: msg });
    }
  }
  return out;
}

async function markFailed(db: Db, id: string, error: string): Promise<void> {
  await db.query(
    'UPDATE tg_spend_dead_letters SET replay_attempts = replay_attempts + 1, last_error = $2 WHERE id = $1',
    [id, pgText(error)],
  );
}
