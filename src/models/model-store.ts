/**
 * @module models/model-store
 * Models stored in the database (tg_models): create, update, delete — each in one transaction that
 * also bumps tg_model_state.version and writes an audit row with secrets redacted — and a poller that
 * notices a new version (a one-row primary-key read every `pollMs`, default 250 ms) and reloads, so
 * every replica applies a change within a second without depending on Redis.
 */
import type { DeploymentConfig } from '../config/types.js';
import type { LMap } from '../config/yaml-tree.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { parseModelEntry } from './model-parse.js';
import { isEnvRef, type ModelSecrets, redactParams, SECRET_PARAMS } from './model-secrets.js';

export interface StoredModel {
  model_id: string;
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: Record<string, unknown>;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface LoadedModels {
  deployments: DeploymentConfig[];
  /** Stored models that no longer read (a missing env variable, a salt key change…): skipped. */
  problems: string[];
  version: number;
}

type Row = Record<string, unknown>;

function obj(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return JSON.parse(v) as Record<string, unknown>;
  return (v ?? {}) as Record<string, unknown>;
}

/** The stored row as the API shows it (secrets redacted). */
export function storedView(r: Row): StoredModel {
  return {
    model_id: String(r.model_id),
    model_name: String(r.model_name),
    litellm_params: redactParams(obj(r.litellm_params)),
    model_info: obj(r.model_info),
    created_by: (r.created_by as string | null) ?? null,
    updated_by: (r.updated_by as string | null) ?? null,
    created_at: new Date(String(r.created_at)).toISOString(),
    updated_at: new Date(String(r.updated_at)).toISOString(),
  };
}

/** Encrypts credential values in a litellm_params tree (env references stay as written). */
export function sealNode(params: LMap, secrets: ModelSecrets): LMap {
  return {
    ...params,
    entries: params.entries.map((e) => {
      const v = e.value;
      if (!SECRET_PARAMS.has(e.key) || v.kind !== 'scalar' || typeof v.value !== 'string') return e;
      const text = v.value;
      if (text === '' || isEnvRef(text) || text.startsWith('tgenc:')) return e;
      if (!secrets.canEncrypt)
        throw new Error(
          `litellm_params.${e.key}: set LITELLM_SALT_KEY (or a master key) to store credentials, or pass "os.environ/NAME"`,
        );
      const sealed = secrets.encrypt(text);
      return { ...e, value: { ...v, value: sealed, source: sealed } };
    }),
  };
}

export class ModelStore {
  constructor(
    private readonly db: Db,
    private readonly secrets: ModelSecrets,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {}

  async version(): Promise<number> {
    const r = await this.db.query<{ version: string }>(
      'SELECT version::text AS version FROM tg_model_state WHERE id = 1',
    );
    return Number(r.rows[0]?.version ?? 0);
  }

  async get(id: string): Promise<Row | null> {
    const r = await this.db.query<Row>('SELECT * FROM tg_models WHERE model_id = $1', [id]);
    return r.rows[0] ?? null;
  }

  /** The stored entry as exact JSON text (jsonb::text keeps NUMERIC digits). */
  async getText(id: string): Promise<{ name: string; params: string; info: string } | null> {
    const r = await this.db.query<{ model_name: string; p: string; i: string }>(
      'SELECT model_name, litellm_params::text AS p, model_info::text AS i FROM tg_models WHERE model_id = $1',
      [id],
    );
    const row = r.rows[0];
    return row ? { name: row.model_name, params: row.p, info: row.i } : null;
  }

  async list(): Promise<Row[]> {
    return (await this.db.query<Row>('SELECT * FROM tg_models ORDER BY created_at, model_id')).rows;
  }

  /** Every stored model as a deployment, read exactly like a config entry. `firstIndex` = config models count. */
  async load(firstIndex: number): Promise<LoadedModels> {
    const version = await this.version();
    // ::text keeps jsonb numbers as their exact NUMERIC text (prices stay exact).
    const rows = (
      await this.db.query<{ model_id: string; model_name: string; p: string; i: string }>(
        `SELECT model_id, model_name, litellm_params::text AS p, model_info::text AS i FROM tg_models ORDER BY created_at, model_id`,
      )
    ).rows;
    const deployments: DeploymentConfig[] = [];
    const problems: string[] = [];
    rows.forEach((r, n) => {
      const text = `{"model_name": ${JSON.stringify(r.model_name)}, "litellm_params": ${r.p}, "model_info": ${r.i}}`;
      const parsed = parseModelEntry(text, firstIndex + n, this.env, this.secrets);
      if (parsed.deployment) deployments.push(parsed.deployment);
      else problems.push(`stored model ${r.model_id} (${r.model_name}): ${parsed.errors.join('; ')}`);
    });
    return { deployments, problems, version };
  }

  /** `paramsJson` / `infoJson`: JSON text with exact numbers and sealed secrets (sealNode). */
  async create(
    m: { id: string; name: string; paramsJson: string; infoJson: string },
    by: string,
  ): Promise<Row> {
    const { id } = m;
    return this.db.transaction(async (tx) => {
      const r = await tx.query<Row>(
        `INSERT INTO tg_models (model_id, model_name, litellm_params, model_info, created_by, updated_by)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $5) RETURNING *`,
        [id, m.name, m.paramsJson, m.infoJson, by],
      );
      await this.bump(tx, id, 'create', by, null, r.rows[0]);
      return r.rows[0];
    });
  }

  async update(
    id: string,
    m: { name: string; paramsJson: string; infoJson: string },
    by: string,
  ): Promise<Row | null> {
    return this.db.transaction(async (tx) => {
      const before = (await tx.query<Row>('SELECT * FROM tg_models WHERE model_id = $1 FOR UPDATE', [id]))
        .rows[0];
      if (!before) return null;
      const r = await tx.query<Row>(
        `UPDATE tg_models SET model_name = $2, litellm_params = $3::jsonb, model_info = $4::jsonb, updated_by = $5, updated_at = now()
          WHERE model_id = $1 RETURNING *`,
        [id, m.name, m.paramsJson, m.infoJson, by],
      );
      await this.bump(tx, id, 'update', by, before, r.rows[0]);
      return r.rows[0];
    });
  }

  async delete(id: string, by: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<Row>('DELETE FROM tg_models WHERE model_id = $1 RETURNING *', [id]);
      if (!r.rows[0]) return false;
      await this.bump(tx, id, 'delete', by, r.rows[0], null);
      return true;
    });
  }

  async audit(id?: string): Promise<Row[]> {
    const r = id
      ? await this.db.query<Row>('SELECT * FROM tg_model_audit WHERE model_id = $1 ORDER BY id', [id])
      : await this.db.query<Row>('SELECT * FROM tg_model_audit ORDER BY id DESC LIMIT 500');
    return r.rows;
  }

  private async bump(tx: Db, id: string, action: string, by: string, before: Row | null, after: Row | null) {
    const redact = (row: Row | null) =>
      row
        ? JSON.stringify({
            model_name: row.model_name,
            litellm_params: redactParams(obj(row.litellm_params)),
            model_info: obj(row.model_info),
          })
        : null;
    await tx.query(
      `INSERT INTO tg_model_audit (model_id, action, changed_by, before, after) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)`,
      [id, action, by, redact(before), redact(after)],
    );
    await tx.query('UPDATE tg_model_state SET version = version + 1 WHERE id = 1');
  }

  /** Calls onChange when another replica (or this one) changed the stored models. Returns a stop function. */
  watch(fromVersion: number, onChange: () => Promise<void>, pollMs = 250): () => void {
    let seen = fromVersion;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.version()
        .then(async (v) => {
          if (v === seen) return;
          seen = v;
          await onChange();
        })
        .catch((err) => this.logger.debug({ err }, 'model version poll failed'))
        .finally(() => {
          busy = false;
        });
    }, pollMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
