/**
 * @module gateway/responses-store
 * Stored Responses API responses (table tg_responses, migration 011). Each record names the key that
 * created it (only that key, or the master key, may read, list or delete it) and the deployment that
 * served it. Native responses (OpenAI, Azure) stay upstream and are reached through that deployment;
 * translated ones (served through chat completions) are stored whole with their input items, which also
 * lets `previous_response_id` continue a translated conversation. Writes happen after the answer was sent
 * (never on the request path); recent records are kept in memory so an immediate GET needs no database.
 */
import type { AuthContext } from '../access/types.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';

export interface StoredResponse {
  id: string;
  keyHash: string;
  modelGroup: string;
  deploymentId: string;
  native: boolean;
  /** Epoch ms. */
  createdAt: number;
  /** The whole response object (translated responses only). */
  response: Record<string, unknown> | null;
  /** The input items with ids (translated responses only). */
  inputItems: Record<string, unknown>[] | null;
}

export interface ResponsesStore {
  /** Remembers a record now and writes it to the database in the background. */
  save(r: StoredResponse): void;
  get(id: string): Promise<StoredResponse | null>;
  delete(id: string): Promise<void>;
  /** Waits for the background writes (tests, shutdown). */
  flush(): Promise<void>;
}

export function mayRead(auth: AuthContext, r: StoredResponse): boolean {
  return auth.isMaster || auth.openMode || r.keyHash === auth.keyHash;
}

interface Row {
  id: string;
  key_hash: string;
  model_group: string;
  deployment_id: string;
  native: boolean;
  created_at: Date | string;
  response: unknown;
  input_items: unknown;
}

function json<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * PostgreSQL jsonb cannot hold U+0000: the stored copy carries U+FFFD in its place (the response
 * the client got, and the in-memory copy, are unchanged), so a NUL in a prompt cannot make a
 * response impossible to retrieve later.
 */
function storableText(_key: string, v: unknown): unknown {
  return typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\ufffd') : v;
}

export function createResponsesStore(db: Db | null, logger: Logger, maxCached = 256): ResponsesStore {
  const recent = new Map<string, StoredResponse>();
  const pending = new Set<Promise<void>>();
  const remember = (r: StoredResponse) => {
    recent.delete(r.id);
    recent.set(r.id, r);
    if (recent.size > maxCached) recent.delete(recent.keys().next().value as string);
  };
  return {
    save(r) {
      remember(r);
      if (!db) return;
      const p = db
        .query(
          `INSERT INTO tg_responses (id, key_hash, model_group, deployment_id, native, created_at, response, input_items)
           VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7::jsonb, $8::jsonb) ON CONFLICT (id) DO NOTHING`,
          [
            r.id,
            r.keyHash,
            r.modelGroup,
            r.deploymentId,
            r.native,
            r.createdAt,
            r.response === null ? null : JSON.stringify(r.response, storableText),
            r.inputItems === null ? null : JSON.stringify(r.inputItems, storableText),
          ],
        )
        .then(
          () => undefined,
          (err: unknown) => logger.error({ err, responseId: r.id }, 'storing a response failed'),
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async get(id) {
      const hit = recent.get(id);
      if (hit) return hit;
      if (!db) return null;
      const { rows } = await db.query<Row>(
        'SELECT id, key_hash, model_group, deployment_id, native, created_at, response, input_items FROM tg_responses WHERE id = $1',
        [id],
      );
      const row = rows[0];
      if (!row) return null;
      const r: StoredResponse = {
        id: row.id,
        keyHash: row.key_hash,
        modelGroup: row.model_group,
        deploymentId: row.deployment_id,
        native: row.native,
        createdAt: new Date(row.created_at).getTime(),
        response: json(row.response),
        inputItems: json(row.input_items),
      };
      remember(r);
      return r;
    },
    async delete(id) {
      recent.delete(id);
      await Promise.all([...pending]); // a write still in flight must not bring it back
      if (db) await db.query('DELETE FROM tg_responses WHERE id = $1', [id]);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
