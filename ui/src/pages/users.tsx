/**
 * @module ui/pages/users
 * Internal users: list with spend against budget and their teams, create (the auto-created key is
 * shown once), edit budgets / limits / models / teams, delete (which also deletes their keys).
 * Internal users cannot be blocked (no such column): the page says so and points at keys / teams.
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog, Dialog } from '../components/dialog';
import { EntityForm } from '../components/entity-form';
import { BudgetBar } from '../components/money';
import { ErrorNotice, InfoNotice, Loading } from '../components/notice';
import { SecretOnce } from '../components/secret-once';
import { TableScroll } from '../components/table-scroll';
import { type Choices, useChoices } from '../lib/choices';
import { useConsole } from '../lib/context';
import { asArray, asString, isObject, type JsonObject } from '../lib/exact-json';
import { BUDGET_FIELDS, type FieldDef, initialState, LIMIT_FIELDS, limitsText } from '../lib/form-fields';
import { formatInt } from '../lib/money';
import { useAction } from '../lib/use-action';
import { useLoad } from '../lib/use-load';

const ROLES = [
  'internal_user',
  'internal_user_viewer',
  'proxy_admin',
  'proxy_admin_viewer',
  'team',
  'customer',
];
const PAGE_SIZE = 25;

function userFields(c: Choices): FieldDef[] {
  return [
    { name: 'user_id', label: 'User id', kind: 'text', createOnly: true, hint: 'Empty = a random UUID.' },
    { name: 'user_email', label: 'Email', kind: 'text' },
    { name: 'user_alias', label: 'Display name', kind: 'text' },
    {
      name: 'user_role',
      label: 'Role',
      kind: 'select',
      options: ROLES.map((r) => ({ value: r, label: r })),
      hint: 'Stored for LiteLLM compatibility: only the master key is admin in Tollgate.',
    },
    {
      name: 'teams',
      label: 'Teams',
      kind: 'multi',
      options: c.teams,
      hint: 'Editing adds the user to the ticked teams.',
    },
    { name: 'models', label: 'Models', kind: 'models', options: c.models, hint: 'None ticked = all models.' },
    ...BUDGET_FIELDS,
    ...LIMIT_FIELDS,
    { name: 'metadata', label: 'Metadata (JSON)', kind: 'json', group: 'Metadata' },
    {
      name: 'auto_create_key',
      label: 'Create a key for this user',
      kind: 'checkbox',
      createOnly: true,
      group: 'First key',
    },
    { name: 'key_alias', label: 'Key alias', kind: 'text', createOnly: true, group: 'First key' },
    { name: 'duration', label: 'Key expires after', kind: 'duration', createOnly: true, group: 'First key' },
  ];
}

type Action =
  | { kind: 'create' }
  | { kind: 'edit'; user: JsonObject }
  | { kind: 'delete'; user: JsonObject }
  | { kind: 'secret'; secret: string };

const userName = (u: JsonObject) =>
  asString(u.user_alias) ?? asString(u.user_email) ?? asString(u.user_id) ?? 'user';

export function UsersPage() {
  const { api, fail } = useConsole();
  const choices = useChoices();
  const [page, setPage] = useState(1);
  const [action, setAction] = useState<Action | null>(null);
  const { busy, error, setError, run } = useAction();
  const list = useLoad(async () => {
    try {
      const r = await api.get('/user/list', { page, page_size: PAGE_SIZE });
      return isObject(r.body) ? r.body : {};
    } catch (err) {
      throw fail(err);
    }
  }, [page]);
  const users = asArray(list.data?.users ?? null).filter(isObject);
  const totalPages = Math.max(1, Number(asString(list.data?.total_pages ?? null) ?? '1') || 1);
  const defs = userFields(choices);
  return (
    <>
      <h1 class="page-title">Internal users</h1>
      <div class="toolbar">
        <button type="button" id="create-user" onClick={() => setAction({ kind: 'create' })}>
          Create user
        </button>
      </div>
      <InfoNotice>
        <p>Internal users cannot be blocked: block their keys (Keys page) or their team instead.</p>
      </InfoNotice>
      <ErrorNotice error={error ?? list.error} />
      <section class="panel">
        {list.loading && !list.data ? <Loading what="users" /> : null}
        <TableScroll label="Internal users">
          <table class="data" id="users-table">
            <caption>Internal users{list.data ? ` (${formatInt(list.data.total ?? '0')})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Teams</th>
                <th scope="col">Spend / budget</th>
                <th scope="col">Limits</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data && users.length === 0 ? (
                <tr>
                  <td colSpan={6} class="empty">
                    No internal users yet.
                  </td>
                </tr>
              ) : null}
              {users.map((u) => (
                <tr key={asString(u.user_id)} data-user-id={asString(u.user_id) ?? ''}>
                  <th scope="row">
                    {userName(u)}
                    <span class="muted small block mono">{asString(u.user_id)}</span>
                  </th>
                  <td>{asString(u.user_role) ?? '–'}</td>
                  <td>
                    {asArray(u.teams)
                      .map((t) => asString(t))
                      .join(', ') || '–'}
                  </td>
                  <td class="spend">
                    <BudgetBar spend={u.spend} max={u.max_budget} soft={u.soft_budget} />
                  </td>
                  <td class="nowrap">{limitsText(u)}</td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="secondary small-button"
                      aria-label={`Edit ${userName(u)}`}
                      onClick={() => setAction({ kind: 'edit', user: u })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      class="danger small-button"
                      aria-label={`Delete ${userName(u)}`}
                      onClick={() => {
                        setError(null);
                        setAction({ kind: 'delete', user: u });
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <nav class="pager" aria-label="User pages">
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
          title={action.kind === 'create' ? 'Create an internal user' : `Edit ${userName(action.user)}`}
          onClose={() => setAction(null)}
          wide
        >
          <EntityForm
            id="user-form"
            defs={defs}
            initial={{
              ...initialState(defs, action.kind === 'edit' ? action.user : null),
              auto_create_key: action.kind === 'create',
            }}
            editing={action.kind === 'edit'}
            submitLabel={action.kind === 'create' ? 'Create user' : 'Save changes'}
            onCancel={() => setAction(null)}
            onSubmit={async (body) => {
              if (action.kind === 'create') {
                const r = await api.post('/user/new', body);
                const secret = isObject(r.body) ? asString(r.body.key) : null;
                list.reload();
                setAction(secret ? { kind: 'secret', secret } : null);
              } else {
                await api.post('/user/update', { ...body, user_id: asString(action.user.user_id) });
                list.reload();
                setAction(null);
              }
            }}
          />
        </Dialog>
      ) : null}
      {action?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${userName(action.user)}?`}
          confirmLabel="Delete user and their keys"
          danger
          busy={busy}
          error={error}
          onClose={() => setAction(null)}
          onConfirm={() =>
            run(async () => {
              await api.post('/user/delete', { user_ids: [asString(action.user.user_id)] });
              list.reload();
              setAction(null);
            })
          }
        >
          <p>
            This also deletes every key of the user and removes them from their teams. Spend logs are kept.
          </p>
        </ConfirmDialog>
      ) : null}
      {action?.kind === 'secret' ? (
        <SecretOnce title="User created with a key" secret={action.secret} onClose={() => setAction(null)} />
      ) : null}
    </>
  );
}
