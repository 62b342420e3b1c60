/**
 * @module ui/pages/teams
 * Teams: list with spend against budget, create, edit budgets / limits / models, members (add,
 * remove, role), block / unblock, delete (which also deletes the team's keys, as LiteLLM does).
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog, Dialog } from '../components/dialog';
import { EntityFormDialog } from '../components/entity-form';
import { BudgetBar } from '../components/money';
import { ErrorNotice, Loading } from '../components/notice';
import { TableScroll } from '../components/table-scroll';
import { type Choices, useChoices } from '../lib/choices';
import { useConsole } from '../lib/context';
import { asArray, asString, isObject, type JsonObject } from '../lib/exact-json';
import { BUDGET_FIELDS, type FieldDef, LIMIT_FIELDS, limitsText } from '../lib/form-fields';
import { formatInt } from '../lib/money';
import { useAction } from '../lib/use-action';
import { useLoad } from '../lib/use-load';

function teamFields(c: Choices): FieldDef[] {
  return [
    { name: 'team_alias', label: 'Name', kind: 'text', hint: 'Shown in reports instead of the id.' },
    { name: 'team_id', label: 'Team id', kind: 'text', createOnly: true, hint: 'Empty = a random UUID.' },
    {
      name: 'models',
      label: 'Models',
      kind: 'models',
      options: c.models.filter((m) => m.value !== 'all-team-models'),
      hint: 'None ticked = all models.',
    },
    ...BUDGET_FIELDS,
    ...LIMIT_FIELDS,
    { name: 'metadata', label: 'Metadata (JSON)', kind: 'json', group: 'Metadata' },
    { name: 'blocked', label: 'Create blocked', kind: 'checkbox', createOnly: true, group: 'Metadata' },
  ];
}

type Action =
  | { kind: 'create' }
  | { kind: 'edit'; team: JsonObject }
  | { kind: 'members'; teamId: string }
  | { kind: 'delete'; team: JsonObject };

const teamName = (t: JsonObject) => asString(t.team_alias) ?? asString(t.team_id) ?? 'team';

function Members({ team, onChanged }: { team: JsonObject; onChanged: () => void }) {
  const { api } = useConsole();
  const { busy, error, run } = useAction();
  const [who, setWho] = useState('');
  const [role, setRole] = useState('user');
  const members = asArray(team.members_with_roles).filter(isObject);
  const teamId = asString(team.team_id);
  return (
    <>
      <TableScroll label={`Members of ${teamName(team)}`}>
        <table class="data" id="members-table">
          <caption>Members of {teamName(team)}</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.length === 0 ? (
              <tr>
                <td colSpan={4} class="empty">
                  No members.
                </td>
              </tr>
            ) : null}
            {members.map((m) => (
              <tr key={asString(m.user_id)}>
                <th scope="row">{asString(m.user_id)}</th>
                <td>{asString(m.user_email) ?? '–'}</td>
                <td>{asString(m.role)}</td>
                <td>
                  <button
                    type="button"
                    class="danger small-button"
                    disabled={busy}
                    aria-label={`Remove ${asString(m.user_id)} from the team`}
                    onClick={() =>
                      run(async () => {
                        await api.post('/team/member_delete', {
                          team_id: teamId,
                          user_id: asString(m.user_id),
                        });
                        onChanged();
                      })
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <form
        class="inline-form"
        id="member-add"
        onSubmit={(e) => {
          e.preventDefault();
          const v = who.trim();
          if (!v) return;
          const member = v.includes('@') ? { user_email: v, role } : { user_id: v, role };
          void run(async () => {
            await api.post('/team/member_add', { team_id: teamId, member });
            setWho('');
            onChanged();
          });
        }}
      >
        <label for="member-who">User id or email</label>
        <input
          id="member-who"
          type="text"
          value={who}
          onInput={(e) => setWho((e.target as HTMLInputElement).value)}
        />
        <label for="member-role">Role</label>
        <select
          id="member-role"
          value={role}
          onChange={(e) => setRole((e.target as HTMLSelectElement).value)}
        >
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
        <button type="submit" disabled={busy}>
          Add member
        </button>
      </form>
      <p class="muted small">An unknown user id or email creates the internal user, as LiteLLM does.</p>
      <ErrorNotice error={error} />
    </>
  );
}

export function TeamsPage() {
  const { api, fail } = useConsole();
  const choices = useChoices();
  const [action, setAction] = useState<Action | null>(null);
  const { busy, error, setError, run } = useAction();
  const list = useLoad(async () => {
    try {
      return asArray((await api.get('/team/list')).body).filter(isObject);
    } catch (err) {
      throw fail(err);
    }
  }, []);
  const teams = list.data ?? [];
  const defs = teamFields(choices);
  const membersTeam =
    action?.kind === 'members' ? teams.find((t) => asString(t.team_id) === action.teamId) : null;
  return (
    <>
      <h1 class="page-title">Teams</h1>
      <div class="toolbar">
        <button type="button" id="create-team" onClick={() => setAction({ kind: 'create' })}>
          Create team
        </button>
      </div>
      <ErrorNotice error={error ?? list.error} />
      <section class="panel">
        {list.loading && !list.data ? <Loading what="teams" /> : null}
        <TableScroll label="Teams">
          <table class="data" id="teams-table">
            <caption>Teams ({formatInt(String(teams.length))})</caption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Spend / budget</th>
                <th scope="col">Members</th>
                <th scope="col">Models</th>
                <th scope="col">Limits</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data && teams.length === 0 ? (
                <tr>
                  <td colSpan={7} class="empty">
                    No teams yet.
                  </td>
                </tr>
              ) : null}
              {teams.map((t) => {
                const models = asArray(t.models).map((m) => asString(m) ?? '');
                return (
                  <tr key={asString(t.team_id)} data-team-id={asString(t.team_id) ?? ''}>
                    <th scope="row">
                      {teamName(t)}
                      <span class="muted small block mono">{asString(t.team_id)}</span>
                    </th>
                    <td class="spend">
                      <BudgetBar spend={t.spend} max={t.max_budget} soft={t.soft_budget} />
                      {asString(t.budget_duration) ? (
                        <span class="muted small"> per {asString(t.budget_duration)}</span>
                      ) : null}
                    </td>
                    <td class="num">{formatInt(String(asArray(t.members).length))}</td>
                    <td>{models.length ? models.join(', ') : <span class="muted">all</span>}</td>
                    <td class="nowrap">{limitsText(t)}</td>
                    <td class={`result ${t.blocked === true ? 'bad' : 'ok'}`}>
                      {t.blocked === true ? 'blocked' : 'active'}
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="secondary small-button"
                        aria-label={`Edit ${teamName(t)}`}
                        onClick={() => setAction({ kind: 'edit', team: t })}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="secondary small-button"
                        aria-label={`Members of ${teamName(t)}`}
                        onClick={() => setAction({ kind: 'members', teamId: asString(t.team_id) ?? '' })}
                      >
                        Members
                      </button>
                      <button
                        type="button"
                        class="secondary small-button"
                        disabled={busy}
                        aria-label={`${t.blocked === true ? 'Unblock' : 'Block'} ${teamName(t)}`}
                        onClick={() =>
                          run(async () => {
                            await api.post(t.blocked === true ? '/team/unblock' : '/team/block', {
                              team_id: asString(t.team_id),
                            });
                            list.reload();
                          })
                        }
                      >
                        {t.blocked === true ? 'Unblock' : 'Block'}
                      </button>
                      <button
                        type="button"
                        class="danger small-button"
                        aria-label={`Delete ${teamName(t)}`}
                        onClick={() => {
                          setError(null);
                          setAction({ kind: 'delete', team: t });
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
      </section>
      {action?.kind === 'create' || action?.kind === 'edit' ? (
        <EntityFormDialog
          noun="team"
          id="team-form"
          defs={defs}
          entity={action.kind === 'edit' ? action.team : null}
          name={teamName}
          save={(body, team) =>
            team
              ? api.post('/team/update', { ...body, team_id: asString(team.team_id) })
              : api.post('/team/new', body)
          }
          onClose={() => setAction(null)}
          onSaved={() => {
            list.reload();
            setAction(null);
          }}
        />
      ) : null}
      {membersTeam ? (
        <Dialog title={`Members of ${teamName(membersTeam)}`} onClose={() => setAction(null)} wide>
          <Members team={membersTeam} onChanged={list.reload} />
        </Dialog>
      ) : null}
      {action?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${teamName(action.team)}?`}
          confirmLabel="Delete team and its keys"
          danger
          busy={busy}
          error={error}
          onClose={() => setAction(null)}
          onConfirm={() =>
            run(async () => {
              await api.post('/team/delete', { team_ids: [asString(action.team.team_id)] });
              list.reload();
              setAction(null);
            })
          }
        >
          <p>
            This also deletes every key of the team (as LiteLLM does); requests with them are refused from now
            on. Spend logs are kept.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
