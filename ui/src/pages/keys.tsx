/**
 * @module ui/pages/keys
 * Virtual keys: list with spend against budget, limits and status; create with every field
 * /key/generate takes (the new key shown once), edit, regenerate (new key shown once),
 * block / unblock and delete. Keys are always addressed by their sha256 hash.
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog, Dialog } from '../components/dialog';
import { EntityForm } from '../components/entity-form';
import { BudgetBar } from '../components/money';
import { ErrorNotice, Loading } from '../components/notice';
import { SecretOnce } from '../components/secret-once';
import { TableScroll } from '../components/table-scroll';
import { type Choices, useChoices } from '../lib/choices';
import { useConsole } from '../lib/context';
import { asArray, asString, isObject, type JsonObject } from '../lib/exact-json';
import { BUDGET_FIELDS, type FieldDef, initialState, LIMIT_FIELDS, limitsText } from '../lib/form-fields';
import { formatInt } from '../lib/money';
import { formatTime } from '../lib/time';
import { useLoad } from '../lib/use-load';

const PAGE_SIZE = 25;

function keyFields(c: Choices): FieldDef[] {
  return [
    {
      name: 'key_alias',
      label: 'Alias',
      kind: 'text',
      hint: 'A unique, readable name (e.g. search-app-prod).',
    },
    { name: 'team_id', label: 'Team', kind: 'select', options: c.teams },
    { name: 'user_id', label: 'Internal user', kind: 'select', options: c.users },
    {
      name: 'duration',
      label: 'Expires after',
      kind: 'duration',
      hint: 'e.g. 30d; empty = never.',
      createOnly: true,
    },
    {
      name: 'models',
      label: 'Models',
      kind: 'models',
      options: c.models,
      hint: 'None ticked = every model the team allows.',
    },
    ...BUDGET_FIELDS,
    ...LIMIT_FIELDS,
    {
      name: 'perm_get_spend_routes',
      label: 'May read all spend (get_spend_routes)',
      kind: 'checkbox',
      group: 'Permissions',
      hint: 'Read-only access to every spend report and log; no management.',
    },
    { name: 'permissions', label: 'Other permissions (JSON)', kind: 'json', group: 'Permissions' },
    {
      name: 'tags',
      label: 'Tags',
      kind: 'list',
      group: 'Metadata',
      hint: 'Comma-separated; added to every request of this key.',
    },
    { name: 'metadata', label: 'Metadata (JSON)', kind: 'json', group: 'Metadata' },
    { name: 'blocked', label: 'Create blocked', kind: 'checkbox', createOnly: true, group: 'Advanced' },
    {
      name: 'key',
      label: 'Custom key (sk-…)',
      kind: 'text',
      createOnly: true,
      group: 'Advanced',
      hint: 'Leave empty to generate a random key.',
    },
  ];
}

/** The permissions object from the checkbox and the JSON field. */
function withPermissions(
  body: Record<string, unknown>,
  original: JsonObject | null,
): Record<string, unknown> {
  const out = { ...body };
  const hasCheck = 'perm_get_spend_routes' in out;
  const hasJson = 'permissions' in out;
  delete out.perm_get_spend_routes;
  if (!hasCheck && !hasJson) return out;
  const before = original && isObject(original.permissions) ? original.permissions : {};
  const perms: Record<string, unknown> = { ...(hasJson ? (body.permissions as object) : before) };
  perms.get_spend_routes = hasCheck ? body.perm_get_spend_routes === true : before.get_spend_routes === true;
  out.permissions = perms;
  return out;
}

function formEntity(k: JsonObject | null): JsonObject | null {
  if (!k) return null;
  const perms = isObject(k.permissions) ? { ...k.permissions } : {};
  const spend = perms.get_spend_routes === true;
  delete perms.get_spend_routes;
  return { ...k, permissions: perms, perm_get_spend_routes: spend };
}

type Action =
  | { kind: 'create' }
  | { kind: 'edit'; key: JsonObject }
  | { kind: 'regenerate'; key: JsonObject }
  | { kind: 'delete'; key: JsonObject }
  | { kind: 'secret'; secret: string; title: string; note?: string };

function name(k: JsonObject): string {
  return asString(k.key_alias) ?? asString(k.key_name) ?? 'this key';
}

function statusOf(k: JsonObject): { text: string; cls: string } {
  if (k.blocked === true) return { text: 'blocked', cls: 'bad' };
  const exp = asString(k.expires);
  if (exp && exp < new Date().toISOString()) return { text: 'expired', cls: 'bad' };
  return { text: 'active', cls: 'ok' };
}

export function KeysPage() {
  const { api, fail, timeZone } = useConsole();
  const choices = useChoices();
  const [page, setPage] = useState(1);
  const [alias, setAlias] = useState('');
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const list = useLoad(async () => {
    try {
      const r = await api.get('/key/list', {
        return_full_object: 'true',
        page,
        size: PAGE_SIZE,
        key_alias: alias,
      });
      return isObject(r.body) ? r.body : {};
    } catch (err) {
      throw fail(err);
    }
  }, [page, alias]);
  const keys = asArray(list.data?.keys ?? null).filter(isObject);
  const totalPages = Number(asString(list.data?.total_pages ?? null) ?? '1') || 1;
  const defs = keyFields(choices);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(fail(err));
    } finally {
      setBusy(false);
    }
  };
  const block = (k: JsonObject) =>
    run(async () => {
      await api.post(k.blocked === true ? '/key/unblock' : '/key/block', { key: asString(k.token) });
      list.reload();
    });

  return (
    <>
      <h1 class="page-title">Keys</h1>
      <div class="toolbar">
        <button type="button" id="create-key" onClick={() => setAction({ kind: 'create' })}>
          Create key
        </button>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const v = (document.getElementById('key-alias-filter') as HTMLInputElement).value.trim();
            setPage(1);
            setAlias(v);
          }}
        >
          <label for="key-alias-filter">Find by alias</label>
          <input id="key-alias-filter" type="search" />
          <button type="submit" class="secondary">
            Find
          </button>
        </form>
      </div>
      <ErrorNotice error={error ?? list.error} id="keys-error" />
      <section class="panel">
        {list.loading && !list.data ? <Loading what="keys" /> : null}
        <TableScroll label="Virtual keys">
          <table class="data" id="keys-table">
            <caption>Virtual keys{list.data ? ` (${formatInt(list.data.total_count ?? '0')})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Alias</th>
                <th scope="col">Key</th>
                <th scope="col">Team / user</th>
                <th scope="col">Spend / budget</th>
                <th scope="col">Models</th>
                <th scope="col">Limits</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.length === 0 && list.data ? (
                <tr>
                  <td colSpan={9} class="empty">
                    No keys yet.
                  </td>
                </tr>
              ) : null}
              {keys.map((k) => {
                const st = statusOf(k);
                const models = asArray(k.models).map((m) => asString(m) ?? '');
                return (
                  <tr
                    key={asString(k.token)}
                    data-key-alias={asString(k.key_alias) ?? ''}
                    data-token={asString(k.token) ?? ''}
                  >
                    <th scope="row">{asString(k.key_alias) ?? <span class="muted">(no alias)</span>}</th>
                    <td class="mono nowrap" title={`sha256 ${asString(k.token)}`}>
                      {asString(k.key_name)}
                    </td>
                    <td>
                      {asString(k.team_id) ?? '–'} / {asString(k.user_id) ?? '–'}
                    </td>
                    <td class="spend">
                      <BudgetBar spend={k.spend} max={k.max_budget} soft={k.soft_budget} />
                      {asString(k.budget_duration) ? (
                        <span class="muted small"> per {asString(k.budget_duration)}</span>
                      ) : null}
                    </td>
                    <td>{models.length ? models.join(', ') : <span class="muted">all</span>}</td>
                    <td class="nowrap">{limitsText(k)}</td>
                    <td class="nowrap">{asString(k.expires) ? formatTime(k.expires, timeZone) : 'never'}</td>
                    <td class={`result ${st.cls}`}>{st.text}</td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="secondary small-button"
                        aria-label={`Edit ${name(k)}`}
                        onClick={() => setAction({ kind: 'edit', key: k })}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="secondary small-button"
                        aria-label={`Regenerate ${name(k)}`}
                        onClick={() => {
                          setError(null);
                          setAction({ kind: 'regenerate', key: k });
                        }}
                      >
                        Regenerate
                      </button>
                      <button
                        type="button"
                        class="secondary small-button"
                        disabled={busy}
                        aria-label={`${k.blocked === true ? 'Unblock' : 'Block'} ${name(k)}`}
                        onClick={() => block(k)}
                      >
                        {k.blocked === true ? 'Unblock' : 'Block'}
                      </button>
                      <button
                        type="button"
                        class="danger small-button"
                        aria-label={`Delete ${name(k)}`}
                        onClick={() => {
                          setError(null);
                          setAction({ kind: 'delete', key: k });
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
        <nav class="pager" aria-label="Key pages">
          <button type="button" class="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            ← Previous
          </button>
          <span class="muted small">
            page {page} of {totalPages}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={page >= totalPages}
            onClick={() => setPage((p) => p + 1)}
          >
            Next →
          </button>
        </nav>
      </section>

      {action?.kind === 'create' || action?.kind === 'edit' ? (
        <Dialog
          title={action.kind === 'create' ? 'Create a key' : `Edit ${name(action.key)}`}
          onClose={() => setAction(null)}
          wide
        >
          <EntityForm
            id="key-form"
            defs={defs}
            initial={initialState(defs, formEntity(action.kind === 'edit' ? action.key : null))}
            editing={action.kind === 'edit'}
            submitLabel={action.kind === 'create' ? 'Create key' : 'Save changes'}
            onCancel={() => setAction(null)}
            onSubmit={async (body) => {
              if (action.kind === 'create') {
                const r = await api.post('/key/generate', withPermissions(body, null));
                const secret = isObject(r.body) ? asString(r.body.key) : null;
                list.reload();
                setAction(secret ? { kind: 'secret', secret, title: 'Key created' } : null);
              } else {
                const orig = action.key;
                await api.post('/key/update', { ...withPermissions(body, orig), key: asString(orig.token) });
                list.reload();
                setAction(null);
              }
            }}
          />
        </Dialog>
      ) : null}
      {action?.kind === 'regenerate' ? (
        <ConfirmDialog
          title={`Regenerate ${name(action.key)}?`}
          confirmLabel="Regenerate"
          busy={busy}
          error={error}
          onClose={() => setAction(null)}
          onConfirm={() =>
            run(async () => {
              const r = await api.post('/key/regenerate', { key: asString(action.key.token) });
              const secret = isObject(r.body) ? asString(r.body.key) : null;
              list.reload();
              setAction(
                secret
                  ? {
                      kind: 'secret',
                      secret,
                      title: 'Key regenerated',
                      note: 'The old key stopped working; its spend and budget moved to this one.',
                    }
                  : null,
              );
            })
          }
        >
          <p>
            The current key stops working at once. Its settings, spend and budget carry over to the new key.
          </p>
        </ConfirmDialog>
      ) : null}
      {action?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${name(action.key)}?`}
          confirmLabel="Delete key"
          danger
          busy={busy}
          error={error}
          onClose={() => setAction(null)}
          onConfirm={() =>
            run(async () => {
              await api.post('/key/delete', { keys: [asString(action.key.token)] });
              list.reload();
              setAction(null);
            })
          }
        >
          <p>Requests with this key are refused from now on. Its spend logs are kept.</p>
        </ConfirmDialog>
      ) : null}
      {action?.kind === 'secret' ? (
        <SecretOnce
          title={action.title}
          secret={action.secret}
          note={action.note}
          onClose={() => setAction(null)}
        />
      ) : null}
    </>
  );
}
