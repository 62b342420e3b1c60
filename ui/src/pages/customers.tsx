/**
 * @module ui/pages/customers
 * Customers (end users: the `user` field of requests): list with spend against budget, create,
 * edit budget / alias / metadata, block / unblock, delete. Customers are not created by traffic:
 * a budget or block applies only to customers listed here.
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/dialog';
import { EntityFormDialog } from '../components/entity-form';
import { BudgetBar } from '../components/money';
import { ErrorNotice, InfoNotice, Loading } from '../components/notice';
import { TableScroll } from '../components/table-scroll';
import { useConsole } from '../lib/context';
import { asArray, asString, isObject, type JsonObject } from '../lib/exact-json';
import type { FieldDef } from '../lib/form-fields';
import { formatInt } from '../lib/money';
import { hrefOf } from '../lib/router';
import { useAction } from '../lib/use-action';
import { useLoad } from '../lib/use-load';

const FIELDS: FieldDef[] = [
  {
    name: 'user_id',
    label: 'Customer id',
    kind: 'text',
    required: true,
    createOnly: true,
    hint: 'The `user` value your requests send.',
  },
  { name: 'alias', label: 'Name', kind: 'text' },
  { name: 'max_budget', label: 'Max budget (USD)', kind: 'money', group: 'Budget' },
  {
    name: 'budget_duration',
    label: 'Budget period',
    kind: 'duration',
    group: 'Budget',
    hint: '30d, 1mo, 1w…',
  },
  { name: 'metadata', label: 'Metadata (JSON)', kind: 'json', group: 'Metadata' },
  { name: 'blocked', label: 'Create blocked', kind: 'checkbox', createOnly: true, group: 'Metadata' },
];

type Action = { kind: 'create' } | { kind: 'edit'; c: JsonObject } | { kind: 'delete'; c: JsonObject };

const custName = (c: JsonObject) => asString(c.alias) ?? asString(c.user_id) ?? 'customer';

export function CustomersPage() {
  const { api, fail } = useConsole();
  const [action, setAction] = useState<Action | null>(null);
  const { busy, error, setError, run } = useAction();
  const list = useLoad(async () => {
    try {
      return asArray((await api.get('/customer/list')).body).filter(isObject);
    } catch (err) {
      throw fail(err);
    }
  }, []);
  const customers = list.data ?? [];
  return (
    <>
      <h1 class="page-title">Customers</h1>
      <div class="toolbar">
        <button type="button" id="create-customer" onClick={() => setAction({ kind: 'create' })}>
          Create customer
        </button>
      </div>
      <InfoNotice>
        <p>
          Customers are the <code>user</code> your applications send with each request. Only customers listed
          here have budgets or can be blocked; the Usage page shows spend for every customer seen in traffic.
        </p>
      </InfoNotice>
      <ErrorNotice error={error ?? list.error} />
      <section class="panel">
        {list.loading && !list.data ? <Loading what="customers" /> : null}
        <TableScroll label="Customers">
          <table class="data" id="customers-table">
            <caption>Customers ({formatInt(String(customers.length))})</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Spend / budget</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data && customers.length === 0 ? (
                <tr>
                  <td colSpan={4} class="empty">
                    No customers yet.
                  </td>
                </tr>
              ) : null}
              {customers.map((c) => (
                <tr key={asString(c.user_id)} data-customer-id={asString(c.user_id) ?? ''}>
                  <th scope="row">
                    {custName(c)}
                    <span class="muted small block mono">{asString(c.user_id)}</span>
                  </th>
                  <td class="spend">
                    <BudgetBar spend={c.spend} max={c.max_budget} />
                    {asString(c.budget_duration) ? (
                      <span class="muted small"> per {asString(c.budget_duration)}</span>
                    ) : null}
                  </td>
                  <td class={`result ${c.blocked === true ? 'bad' : 'ok'}`}>
                    {c.blocked === true ? 'blocked' : 'active'}
                  </td>
                  <td class="row-actions">
                    <a
                      class="button-link secondary small-button"
                      href={hrefOf('logs', { customer: asString(c.user_id) })}
                    >
                      Logs
                    </a>
                    <button
                      type="button"
                      class="secondary small-button"
                      aria-label={`Edit ${custName(c)}`}
                      onClick={() => setAction({ kind: 'edit', c })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      class="secondary small-button"
                      disabled={busy}
                      aria-label={`${c.blocked === true ? 'Unblock' : 'Block'} ${custName(c)}`}
                      onClick={() =>
                        run(async () => {
                          await api.post(c.blocked === true ? '/customer/unblock' : '/customer/block', {
                            user_ids: [asString(c.user_id)],
                          });
                          list.reload();
                        })
                      }
                    >
                      {c.blocked === true ? 'Unblock' : 'Block'}
                    </button>
                    <button
                      type="button"
                      class="danger small-button"
                      aria-label={`Delete ${custName(c)}`}
                      onClick={() => {
                        setError(null);
                        setAction({ kind: 'delete', c });
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
      </section>
      {action?.kind === 'create' || action?.kind === 'edit' ? (
        <EntityFormDialog
          noun="customer"
          id="customer-form"
          defs={FIELDS}
          entity={action.kind === 'edit' ? action.c : null}
          name={custName}
          save={(body, c) =>
            c
              ? api.post('/customer/update', { ...body, user_id: asString(c.user_id) })
              : api.post('/customer/new', body)
          }
          onClose={() => setAction(null)}
          onSaved={() => {
            list.reload();
            setAction(null);
          }}
        />
      ) : null}
      {action?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${custName(action.c)}?`}
          confirmLabel="Delete customer"
          danger
          busy={busy}
          error={error}
          onClose={() => setAction(null)}
          onConfirm={() =>
            run(async () => {
              await api.post('/customer/delete', { user_ids: [asString(action.c.user_id)] });
              list.reload();
              setAction(null);
            })
          }
        >
          <p>Its budget and block go away; its requests are still logged and reported.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
