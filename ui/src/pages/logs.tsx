/**
 * @module ui/pages/logs
 * Logs: every request with filters (key, team, user, customer, model, status, tag, request id,
 * date range, unpriced only), keyset paging with the API's cursor (newer / older pages), CSV of
 * the filtered rows, and the detail view with the full price explanation.
 */
import { useEffect, useState } from 'preact/hooks';
import { LogDetail } from '../components/log-detail';
import { LogTable } from '../components/log-table';
import { ErrorNotice } from '../components/notice';
import { TimeZoneSelect } from '../components/range-bar';
import { NEXT_CURSOR_HEADER, type Params } from '../lib/api';
import { useConsole } from '../lib/context';
import { saveText } from '../lib/download';
import { asArray, asString, isObject, type Json, type JsonObject } from '../lib/exact-json';
import { navigate, useRoute } from '../lib/router';
import { spendRoutes } from '../lib/session';
import { isDay } from '../lib/time';
import { useLoad } from '../lib/use-load';

const FILTERS = [
  'key',
  'team',
  'user',
  'customer',
  'model',
  'status',
  'tags',
  'request_id',
  'from',
  'to',
  'unpriced',
  'size',
] as const;
type Filter = (typeof FILTERS)[number];
type Filters = Record<Filter, string>;

function readFilters(p: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((f) => [f, p.get(f) ?? ''])) as Filters;
}

/** The /spend/logs query for the filters. */
export function logsQuery(f: Filters, timeZone: string): Params {
  return {
    api_key: f.key,
    team_id: f.team,
    user_id: f.user,
    end_user: f.customer,
    model: f.model,
    status: f.status,
    tags: f.tags,
    request_id: f.request_id,
    start_date: f.from,
    end_date: f.to,
    unpriced: f.unpriced === 'true' ? 'true' : undefined,
    timezone: timeZone,
  };
}

function filterProblem(f: Filters): string | null {
  if (f.from && !isDay(f.from)) return `"${f.from}" is not a calendar date.`;
  if (f.to && !isDay(f.to)) return `"${f.to}" is not a calendar date.`;
  if (f.from && f.to && f.to < f.from) return `The end date ${f.to} is before the start date ${f.from}.`;
  return null;
}

interface Suggestions {
  keys: Array<{ value: string; label: string }>;
  teams: Array<{ value: string; label: string }>;
  models: string[];
}

function useSuggestions(): Suggestions {
  const { api, identity } = useConsole();
  const res = useLoad<Suggestions>(async () => {
    const out: Suggestions = { keys: [], teams: [], models: [] };
    const models = await api.get('/model/info').catch(() => null);
    const data = models && isObject(models.body) ? asArray(models.body.data) : [];
    out.models = [...new Set(data.filter(isObject).map((d) => asString(d.model_name) ?? ''))].filter(Boolean);
    if (identity.role === 'admin') {
      const [keys, teams] = await Promise.all([
        api.get('/key/list', { return_full_object: 'true', size: 100 }).catch(() => null),
        api.get('/team/list').catch(() => null),
      ]);
      const k = keys && isObject(keys.body) ? asArray(keys.body.keys) : [];
      out.keys = k.filter(isObject).map((x) => ({
        value: asString(x.token) ?? '',
        label: asString(x.key_alias) ?? asString(x.key_name) ?? '',
      }));
      out.teams = asArray(teams?.body ?? null)
        .filter(isObject)
        .map((t) => ({ value: asString(t.team_id) ?? '', label: asString(t.team_alias) ?? '' }));
    }
    return out;
  }, [identity.role]);
  return res.data ?? { keys: [], teams: [], models: [] };
}

function TextFilter({
  id,
  label,
  value,
  onInput,
  list,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  list?: string;
  hint?: string;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        list={list}
        spellcheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
      {hint ? (
        <span id={`${id}-hint`} class="muted small">
          {hint}
        </span>
      ) : null}
    </div>
  );
}

export function LogsPage() {
  const { api, identity, timeZone, setTimeZone, fail } = useConsole();
  const route = useRoute();
  const routes = spendRoutes(identity.role);
  const applied = readFilters(route.params);
  const [draft, setDraft] = useState<Filters>(applied);
  const [tz, setTz] = useState(timeZone);
  // Cursors of the pages already seen, for the filters they were seen with (other filters: page 1).
  const [seen, setSeen] = useState<{ filters: string; cursors: string[] }>({ filters: '', cursors: [] });
  const [open, setOpen] = useState<JsonObject | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const suggestions = useSuggestions();
  const appliedKey = route.params.toString();
  useEffect(() => {
    setDraft(readFilters(route.params));
  }, [appliedKey]);
  const cursors = seen.filters === appliedKey ? seen.cursors : [];
  const setCursors = (f: (c: string[]) => string[]) => setSeen({ filters: appliedKey, cursors: f(cursors) });
  useEffect(() => setTz(timeZone), [timeZone]);
  const problem = filterProblem(applied);
  const size = ['25', '50', '100'].includes(applied.size) ? Number(applied.size) : 50;
  const cursor = cursors[cursors.length - 1];
  const query = logsQuery(applied, timeZone);
  const res = useLoad<{ logs: JsonObject[]; next: string | null }>(
    problem
      ? null
      : async () => {
          try {
            const r = await api.get<Json>(routes.logs, { ...query, limit: size, cursor });
            return { logs: asArray(r.body).filter(isObject), next: r.headers.get(NEXT_CURSOR_HEADER) };
          } catch (err) {
            throw fail(err);
          }
        },
    [appliedKey, cursor, timeZone, identity.role],
  );
  const set = (f: Filter) => (v: string) => setDraft((d) => ({ ...d, [f]: v }));
  const pageNo = cursors.length + 1;

  return (
    <>
      <h1 class="page-title">{routes.scoped ? 'Logs of this key' : 'Logs'}</h1>
      <form
        class="panel filters"
        id="log-filters"
        noValidate
        aria-label="Log filters"
        onSubmit={(e) => {
          e.preventDefault();
          setTimeZone(tz);
          navigate('logs', { ...draft });
        }}
      >
        {routes.scoped ? null : (
          <TextFilter
            id="f-key"
            label="Key (alias list, sk-… or hash)"
            value={draft.key}
            onInput={set('key')}
            list="key-options"
          />
        )}
        <TextFilter
          id="f-team"
          label="Team id"
          value={draft.team}
          onInput={set('team')}
          list="team-options"
        />
        <TextFilter id="f-user" label="Internal user id" value={draft.user} onInput={set('user')} />
        <TextFilter
          id="f-customer"
          label="Customer (end user)"
          value={draft.customer}
          onInput={set('customer')}
        />
        <TextFilter
          id="f-model"
          label="Model (group or deployment)"
          value={draft.model}
          onInput={set('model')}
          list="model-options"
        />
        <div class="field">
          <label for="f-status">Status</label>
          <select
            id="f-status"
            value={draft.status}
            onChange={(e) => set('status')((e.target as HTMLSelectElement).value)}
          >
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </select>
        </div>
        <TextFilter
          id="f-tags"
          label="Tags (any of, comma-separated)"
          value={draft.tags}
          onInput={set('tags')}
        />
        <TextFilter id="f-request" label="Request id" value={draft.request_id} onInput={set('request_id')} />
        <div class="field">
          <label for="f-from">From</label>
          <input
            id="f-from"
            type="date"
            value={draft.from}
            onInput={(e) => set('from')((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="f-to">To (inclusive)</label>
          <input
            id="f-to"
            type="date"
            value={draft.to}
            onInput={(e) => set('to')((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="f-tz">Time zone</label>
          <TimeZoneSelect id="f-tz" value={tz} onChange={setTz} />
        </div>
        <div class="field">
          <label for="f-size">Rows per page</label>
          <select
            id="f-size"
            value={String(size)}
            onChange={(e) => set('size')((e.target as HTMLSelectElement).value)}
          >
            <option value="25">25</option>
            <option value="50">50</option>
            <option value="100">100</option>
          </select>
        </div>
        <div class="field check">
          <input
            id="f-unpriced"
            type="checkbox"
            checked={draft.unpriced === 'true'}
            onChange={(e) => set('unpriced')((e.target as HTMLInputElement).checked ? 'true' : '')}
          />
          <label for="f-unpriced">Unpriced only</label>
        </div>
        <div class="field actions">
          <button type="submit" id="apply-filters">
            Apply filters
          </button>
          <button type="button" class="secondary" onClick={() => navigate('logs', {})}>
            Clear
          </button>
          <button
            type="button"
            class="secondary"
            id="export-logs"
            disabled={problem !== null}
            onClick={async () => {
              setExportError(null);
              try {
                const csv = await api.text(routes.logs, { ...query, format: 'csv', limit: 100000 });
                saveText(csv, 'tollgate-logs.csv');
              } catch (err) {
                setExportError(fail(err));
              }
            }}
          >
            Export CSV
          </button>
        </div>
        <datalist id="key-options">
          {suggestions.keys.map((k) => (
            <option key={k.value} value={k.value} label={k.label} />
          ))}
        </datalist>
        <datalist id="team-options">
          {suggestions.teams.map((t) => (
            <option key={t.value} value={t.value} label={t.label} />
          ))}
        </datalist>
        <datalist id="model-options">
          {suggestions.models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </form>
      <ErrorNotice error={problem ? new Error(problem) : res.error} id="logs-error" />
      <ErrorNotice error={exportError} />
      <section class="panel" aria-labelledby="log-results-title">
        <h2 id="log-results-title">
          Requests{' '}
          <span class="muted small" id="log-page">
            page {pageNo}
            {res.loading ? ' · loading…' : ''}
          </span>
        </h2>
        <LogTable
          id="log-table"
          caption="Spend logs matching the filters, newest first"
          logs={res.data?.logs ?? null}
          timeZone={timeZone}
          onOpen={setOpen}
          emptyText="No requests match these filters."
        />
        <nav class="pager" aria-label="Log pages">
          <button
            type="button"
            class="secondary"
            id="newer-page"
            disabled={cursors.length === 0 || res.loading}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            ← Newer
          </button>
          <button
            type="button"
            class="secondary"
            id="older-page"
            disabled={!res.data?.next || res.loading}
            onClick={() => {
              const next = res.data?.next;
              if (next) setCursors((c) => [...c, next]);
            }}
          >
            Older →
          </button>
        </nav>
      </section>
      {open ? <LogDetail log={open} timeZone={timeZone} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
