/**
 * @module ui/pages/usage
 * Usage: totals, spend over time by model, top models / keys / teams / customers / tags (with
 * failed requests), unpriced traffic flagged, recent requests, CSV export, in any time zone. A
 * plain virtual key sees the same for its own key only, plus its budget.
 */
import { useState } from 'preact/hooks';
import { LogDetail } from '../components/log-detail';
import { LogTable } from '../components/log-table';
import { BudgetBar, Money } from '../components/money';
import { ErrorNotice } from '../components/notice';
import { RangeBar } from '../components/range-bar';
import { SpendChart } from '../components/spend-chart';
import { type Dim, seriesRows, TopTable } from '../components/top-table';
import { describeError, type Params } from '../lib/api';
import { useConsole } from '../lib/context';
import { saveText } from '../lib/download';
import { asArray, asString, isObject, type Json, type JsonObject } from '../lib/exact-json';
import { formatInt } from '../lib/money';
import { rangeProblem, readRange } from '../lib/range';
import { hrefOf, navigate, useRoute } from '../lib/router';
import { spendRoutes } from '../lib/session';
import { settledError as errorOf, type Settled, settle, settledValue as valueOfSettled } from '../lib/settle';
import { formatTime } from '../lib/time';
import { useLoad } from '../lib/use-load';

const RECENT = 10;

interface UsageData {
  main: Settled<Json>;
  tops: Partial<Record<Dim, Settled<Json>>>;
  unpriced: Settled<Json>;
  recent: Settled<Json>;
  keyInfo: Settled<Json> | null;
  at: number;
}

function UnpricedCard({ data, range }: { data: Settled<Json>; range: Params }) {
  const body = valueOfSettled(data);
  const n = isObject(body) ? Number(asString(body.requests) ?? '0') : null;
  return (
    <section class="card" aria-labelledby="card-unpriced-title" id="card-unpriced">
      <h2 id="card-unpriced-title">Unpriced</h2>
      {n === null ? (
        <p class="muted small">{errorOf(data) ? describeError(errorOf(data)).title : '–'}</p>
      ) : n === 0 ? (
        <p class="value ok-text" id="unpriced-value">
          All priced
        </p>
      ) : (
        <>
          <p class="value">
            <span class="badge warn big" id="unpriced-value">
              {formatInt(String(n))} unpriced
            </span>
          </p>
          <p class="small">
            Recorded as $0 but not free.{' '}
            <a
              href={hrefOf('logs', {
                unpriced: 'true',
                from: String(range.start_date),
                to: String(range.end_date),
              })}
            >
              Show them
            </a>
          </p>
        </>
      )}
    </section>
  );
}

export function UsagePage() {
  const { api, identity, timeZone, setTimeZone, fail } = useConsole();
  const route = useRoute();
  const routes = spendRoutes(identity.role);
  const range = readRange(route.params, timeZone);
  const problem = rangeProblem(range);
  const [open, setOpen] = useState<JsonObject | null>(null);
  const [exportDim, setExportDim] = useState('model');
  const [exportError, setExportError] = useState<unknown>(null);
  const q: Params = { start_date: range.from, end_date: range.to, timezone: timeZone };
  const dims: Dim[] = routes.scoped ? ['customer', 'tag'] : ['key', 'team', 'customer', 'tag'];

  const res = useLoad<UsageData>(
    problem
      ? null
      : async () => {
          const get = (path: string, params: Params) => settle(api.get(path, params).then((r) => r.body));
          const [main, unpriced, recent, keyInfo, ...tops] = await Promise.all([
            get(routes.summary, { ...q, group_by: 'model', interval: range.interval }),
            get(routes.unpriced, q),
            get(routes.logs, { ...q, limit: RECENT }),
            routes.scoped ? get('/key/info', {}) : Promise.resolve(null),
            ...dims.map((d) => get(routes.summary, { ...q, group_by: d, interval: 'month' })),
          ]);
          for (const s of [main, unpriced, recent, keyInfo, ...tops]) if (s && !s.ok) fail(s.error);
          return {
            main,
            unpriced,
            recent,
            keyInfo,
            tops: Object.fromEntries(dims.map((d, i) => [d, tops[i]])),
            at: Date.now(),
          };
        },
    [range.from, range.to, range.interval, timeZone, identity.role],
  );
  const data = res.data;
  const summary = valueOfSettled(data?.main);
  const totals = isObject(summary) && isObject(summary.totals) ? summary.totals : null;
  const unpricedGroups = new Set(
    asArray(
      isObject(valueOfSettled(data?.unpriced))
        ? (valueOfSettled(data?.unpriced) as JsonObject).model_groups
        : null,
    )
      .filter(isObject)
      .map((g) => asString(g.model_group) ?? ''),
  );
  const modelRows = seriesRows('model', summary).map((r) => ({
    ...r,
    badge: unpricedGroups.has(r.name) ? (
      <span class="badge warn" title="Some requests of this model group had no price (recorded as $0)">
        unpriced
      </span>
    ) : undefined,
  }));
  const status = problem
    ? `Not updated: ${problem}`
    : res.loading
      ? 'Loading…'
      : data && summary
        ? `Showing ${range.from} to ${range.to} (${timeZone}), by ${range.interval}. Updated ${formatTime(new Date(data.at).toISOString(), timeZone).slice(11)}.`
        : 'Not updated: the gateway refused the query.';
  const topMessage = (d: Dim) => {
    const e = errorOf(data?.tops[d]);
    return e ? describeError(e).title : null;
  };
  const key = routes.scoped ? valueOfSettled(data?.keyInfo) : null;
  const keyView = isObject(key) && isObject(key.info) ? key.info : null;
  const recent = valueOfSettled(data?.recent);

  return (
    <>
      <h1 class="page-title">{routes.scoped ? 'Usage of this key' : 'Usage'}</h1>
      <RangeBar
        range={range}
        timeZone={timeZone}
        showInterval
        onApply={(r, tz) => {
          setTimeZone(tz);
          navigate('usage', { from: r.from, to: r.to, interval: r.interval });
        }}
      >
        <span class="export">
          <label for="export-dim" class="visually-hidden">
            Export grouped by
          </label>
          <select
            id="export-dim"
            value={exportDim}
            onChange={(e) => setExportDim((e.target as HTMLSelectElement).value)}
          >
            {['model', ...dims].map((d) => (
              <option key={d} value={d}>
                by {d}
              </option>
            ))}
          </select>
          <button
            type="button"
            class="secondary"
            id="export-csv"
            disabled={problem !== null}
            onClick={async () => {
              setExportError(null);
              try {
                const csv = await api.text(routes.summary, {
                  ...q,
                  group_by: exportDim,
                  interval: range.interval,
                  format: 'csv',
                });
                saveText(csv, `tollgate-usage-by-${exportDim}-${range.from}-to-${range.to}.csv`);
              } catch (err) {
                setExportError(fail(err));
              }
            }}
          >
            Export CSV
          </button>
        </span>
      </RangeBar>
      <p id="status" class="status muted" aria-live="polite">
        {status}
      </p>
      <ErrorNotice
        error={problem ? new Error(problem) : (res.error ?? errorOf(data?.main))}
        id="usage-error"
      />
      <ErrorNotice error={exportError} />

      <section class="cards" aria-label="Totals">
        <section class="card" aria-labelledby="card-spend-title">
          <h2 id="card-spend-title">Total spend</h2>
          <p class="value" id="total-spend" data-value={totals ? (asString(totals.spend) ?? '') : undefined}>
            {totals ? <Money value={totals.spend} /> : '–'}
          </p>
          <p class="muted small">USD, exact</p>
        </section>
        <section class="card" aria-labelledby="card-requests-title">
          <h2 id="card-requests-title">Requests</h2>
          <p class="value" id="total-requests">
            {totals ? formatInt(totals.requests) : '–'}
          </p>
          <p class="muted small" id="total-failed">
            {totals ? `${formatInt(totals.failed_requests ?? '0')} failed` : ''}
          </p>
        </section>
        <section class="card" aria-labelledby="card-tokens-title">
          <h2 id="card-tokens-title">Tokens</h2>
          <p class="value" id="total-tokens">
            {totals ? formatInt(totals.total_tokens) : '–'}
          </p>
          <p class="muted small">
            {totals
              ? `${formatInt(totals.prompt_tokens)} prompt · ${formatInt(totals.completion_tokens)} completion`
              : ''}
          </p>
        </section>
        {data ? <UnpricedCard data={data.unpriced} range={q} /> : null}
        {keyView ? (
          <section class="card" aria-labelledby="card-budget-title" id="card-budget">
            <h2 id="card-budget-title">This key's budget</h2>
            <p class="value">
              <BudgetBar spend={keyView.spend} max={keyView.max_budget} soft={keyView.soft_budget} />
            </p>
            <p class="muted small">
              {asString(keyView.budget_duration)
                ? `resets every ${asString(keyView.budget_duration)}`
                : 'no reset period'}
              {asString(keyView.expires) ? ` · expires ${formatTime(keyView.expires, timeZone)}` : ''}
            </p>
          </section>
        ) : null}
      </section>

      <section class="panel" aria-labelledby="chart-title">
        <h2 id="chart-title">Spend over time by model</h2>
        <SpendChart
          summary={problem ? null : summary}
          caption={`Spend per ${range.interval}, stacked by model`}
        />
        <p class="muted small">Bar heights are drawn to scale; hover a bar for its exact amount.</p>
      </section>

      <div class="grid">
        <TopTable
          id="top-models"
          caption="Top models"
          nameHeader="Model group"
          rows={data ? modelRows : null}
        />
        {dims.map((d) => (
          <TopTable
            key={d}
            id={`top-${d === 'key' ? 'keys' : d === 'team' ? 'teams' : d === 'customer' ? 'customers' : 'tags'}`}
            caption={
              {
                key: 'Top keys',
                team: 'Top teams',
                customer: 'Top customers (end users)',
                tag: 'Top tags',
                model: '',
              }[d]
            }
            nameHeader={{ key: 'Key', team: 'Team', customer: 'Customer', tag: 'Tag', model: '' }[d]}
            rows={data ? seriesRows(d, valueOfSettled(data.tops[d]) ?? null) : null}
            message={topMessage(d)}
            note={
              d === 'tag'
                ? 'A request with several tags counts under each; tag rollups do not count failures.'
                : undefined
            }
          />
        ))}
      </div>

      <section class="panel" aria-labelledby="recent-title">
        <h2 id="recent-title">Recent requests</h2>
        <ErrorNotice error={errorOf(data?.recent)} />
        <LogTable
          id="logs"
          caption="Most recent requests in the range, newest first"
          logs={Array.isArray(recent) ? recent.filter(isObject) : null}
          timeZone={timeZone}
          onOpen={setOpen}
          emptyText="No requests in this range."
        />
        <p>
          <a href={hrefOf('logs', { from: range.from, to: range.to })} id="all-logs">
            All requests in this range, with filters →
          </a>
        </p>
      </section>
      {open ? <LogDetail log={open} timeZone={timeZone} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
