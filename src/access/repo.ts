/**
 * @module access/repo
 * SQL for access records: generic insert/update builders over tg_keys, tg_users, tg_teams,
 * tg_customers (jsonb columns passed as JSON text, money as exact decimal text), loaders, spend
 * totals and team membership.
 */
import type { Db } from '../store/db.js';
import {
  type CustomerRecord,
  customerFromRow,
  ENTITY_TABLES,
  type EntityType,
  type KeyRecord,
  keyFromRow,
  type TeamRecord,
  teamFromRow,
  type UserRecord,
  userFromRow,
} from './records.js';

type Row = Record<string, unknown>;

const JSONB_COLUMNS = new Set([
  'models',
  'metadata',
  'tags',
  'permissions',
  'details',
  'model_max_budget',
  'model_rpm_limit',
  'model_tpm_limit',
]);

function param(col: string, value: unknown, params: unknown[]): string {
  if (JSONB_COLUMNS.has(col)) {
    params.push(JSON.stringify(value ?? null));
    return `$${params.length}::jsonb`;
  }
  params.push(value === undefined ? null : value);
  return `$${params.length}`;
}

export async function insertRow(db: Db, table: string, values: Record<string, unknown>): Promise<Row> {
  const params: unknown[] = [];
  const cols = Object.keys(values);
  const ph = cols.map((c) => param(c, values[c], params));
  const r = await db.query<Row>(
    `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${ph.join(', ')}) RETURNING *`,
    params,
  );
  return r.rows[0];
}

/** Updates the given columns (and updated_at); returns the row, or null when it does not exist. */
export async function updateRow(
  db: Db,
  table: string,
  idCol: string,
  id: string,
  values: Record<string, unknown>,
  now: Date,
): Promise<Row | null> {
  const params: unknown[] = [];
  const sets = Object.keys(values).map((c) => `"${c}" = ${param(c, values[c], params)}`);
  if (table !== 'tg_team_members') sets.push(`updated_at = ${param('updated_at', now, params)}`);
  params.push(id);
  const r = await db.query<Row>(
    `UPDATE ${table} SET ${sets.join(', ')} WHERE "${idCol}" = $${params.length} RETURNING *`,
    params,
  );
  return r.rows[0] ?? null;
}

export async function loadKey(db: Db, hash: string): Promise<KeyRecord | null> {
  const r = await db.query<Row>('SELECT * FROM tg_keys WHERE token_hash = $1', [hash]);
  return r.rows[0] ? keyFromRow(r.rows[0]) : null;
}

export async function loadUser(db: Db, id: string): Promise<UserRecord | null> {
  const r = await db.query<Row>('SELECT * FROM tg_users WHERE user_id = $1', [id]);
  return r.rows[0] ? userFromRow(r.rows[0]) : null;
}

export async function loadTeam(db: Db, id: string): Promise<TeamRecord | null> {
  const r = await db.query<Row>('SELECT * FROM tg_teams WHERE team_id = $1', [id]);
  return r.rows[0] ? teamFromRow(r.rows[0]) : null;
}

export async function loadCustomer(db: Db, id: string): Promise<CustomerRecord | null> {
  const r = await db.query<Row>('SELECT * FROM tg_customers WHERE user_id = $1', [id]);
  return r.rows[0] ? customerFromRow(r.rows[0]) : null;
}

/** Spend totals (exact decimal text) for several entities of one type. */
export async function loadSpendTotals(db: Db, type: EntityType, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const ph = ids.map((_, i) => `$${i + 2}`).join(', ');
  const r = await db.query<{ entity_id: string; spend: string }>(
    `SELECT entity_id, spend::text AS spend FROM tg_spend_totals WHERE entity_type = $1 AND entity_id IN (${ph})`,
    [type, ...ids],
  );
  for (const row of r.rows) out.set(row.entity_id, String(row.spend));
  return out;
}

/** The entity's current spend total and the end of the period it belongs to (its budget_reset_at). */
export async function loadSeed(
  db: Db,
  type: EntityType,
  id: string,
): Promise<{ spend: string; resetAt: Date | null; exists: boolean }> {
  const t = ENTITY_TABLES[type];
  const r = await db.query<{ spend: string | null; budget_reset_at: Date | string | null }>(
    `SELECT s.spend::text AS spend, e.budget_reset_at FROM ${t.table} e
       LEFT JOIN tg_spend_totals s ON s.entity_type = $1 AND s.entity_id = e.${t.id}
      WHERE e.${t.id} = $2`,
    [type, id],
  );
  const row = r.rows[0];
  if (!row) return { spend: '0', resetAt: null, exists: false };
  const resetAt = row.budget_reset_at === null ? null : new Date(row.budget_reset_at);
  return { spend: row.spend ?? '0', resetAt, exists: true };
}

export async function teamMembers(
  db: Db,
  teamId: string,
): Promise<Array<{ user_id: string; role: string; user_email: string | null }>> {
  const r = await db.query<{ user_id: string; role: string; user_email: string | null }>(
    `SELECT m.user_id, m.role, u.user_email FROM tg_team_members m LEFT JOIN tg_users u ON u.user_id = m.user_id
      WHERE m.team_id = $1 ORDER BY m.user_id`,
    [teamId],
  );
  return r.rows;
}

export async function userTeams(db: Db, userId: string): Promise<string[]> {
  const r = await db.query<{ team_id: string }>(
    'SELECT team_id FROM tg_team_members WHERE user_id = $1 ORDER BY team_id',
    [userId],
  );
  return r.rows.map((x) => x.team_id);
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}
