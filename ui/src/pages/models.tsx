/**
 * @module ui/pages/models
 * Models & pricing: every deployment's effective unit prices and where each came from
 * (/pricing/explain, joined with /model/info for api_base and mode), a search of the cost map the
 * gateway prices from (/pricing/catalog), and a calculator (usage → exact cost, line by line).
 */
import { useState } from 'preact/hooks';
import { Money } from '../components/money';
import { ErrorNotice, Loading } from '../components/notice';
import { PricingCalculator } from '../components/pricing-calculator';
import { TableScroll } from '../components/table-scroll';
import { useConsole } from '../lib/context';
import { asArray, asString, isObject, type JsonObject } from '../lib/exact-json';
import { formatInt, shiftDecimal } from '../lib/money';
import { useLoad } from '../lib/use-load';

/** Per-token prices also shown per million tokens (an exact decimal shift). */
function PriceCell({ priceKey, usd }: { priceKey: string; usd: unknown }) {
  const perToken = priceKey.endsWith('_per_token') || priceKey.endsWith('_token_cost');
  return (
    <span class="price">
      <Money value={usd} />
      {perToken ? (
        <span class="muted small">
          {' '}
          (<Money value={shiftDecimal(usd, 6)} /> / 1M)
        </span>
      ) : null}
    </span>
  );
}

function Deployments({ explain, info }: { explain: JsonObject[]; info: Map<string, JsonObject> }) {
  return (
    <TableScroll label="Deployments and their effective prices (USD per unit)">
      <table class="data" id="deployments-table">
        <caption>Deployments and their effective prices (USD per unit)</caption>
        <thead>
          <tr>
            <th scope="col">Model group</th>
            <th scope="col">Deployment</th>
            <th scope="col">Price source</th>
            <th scope="col">Prices (and where each came from)</th>
          </tr>
        </thead>
        <tbody>
          {explain.map((d) => {
            const id = asString(d.deployment_id) ?? '';
            const mi = info.get(id);
            const params = mi && isObject(mi.litellm_params) ? mi.litellm_params : {};
            const modelInfo = mi && isObject(mi.model_info) ? mi.model_info : {};
            const prices = isObject(d.prices) ? Object.entries(d.prices) : [];
            const warnings = asArray(d.warnings).map((w) => asString(w) ?? '');
            return (
              <tr key={id} data-deployment-id={id} data-model-group={asString(d.model_name) ?? ''}>
                <th scope="row">{asString(d.model_name)}</th>
                <td>
                  <code>{asString(d.model)}</code>
                  <span class="muted small block mono">{id}</span>
                  {asString(params.api_base) ? (
                    <span class="muted small block mono">{asString(params.api_base)}</span>
                  ) : null}
                  {asString(modelInfo.mode) ? (
                    <span class="muted small block">mode {asString(modelInfo.mode)}</span>
                  ) : null}
                </td>
                <td>
                  <code class="wrap">{asString(d.source)}</code>
                  {d.unpriced === true ? (
                    <span
                      class="badge warn"
                      title="No price: requests are recorded at $0 and flagged unpriced"
                    >
                      unpriced
                    </span>
                  ) : null}
                  {asString(d.catalog_entry) ? (
                    <span class="muted small block">catalog entry {asString(d.catalog_entry)}</span>
                  ) : null}
                </td>
                <td>
                  {prices.length === 0 ? <span class="muted">no prices</span> : null}
                  <ul class="price-list">
                    {prices.map(([k, p]) => (
                      <li key={k} data-price-key={k}>
                        <code>{k}</code> <PriceCell priceKey={k} usd={isObject(p) ? p.usd : p} />{' '}
                        <span class="muted small">from {isObject(p) ? asString(p.from) : ''}</span>
                      </li>
                    ))}
                  </ul>
                  {warnings.map((w) => (
                    <p key={w} class="small warn-text">
                      {w}
                    </p>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

const CATALOG_COLUMNS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
];

function CatalogSearch() {
  const { api, fail } = useConsole();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState<string | null>(null);
  const res = useLoad(
    query === null
      ? null
      : async () => {
          try {
            const r = await api.get('/pricing/catalog', { q: query, limit: 50 });
            return isObject(r.body) ? r.body : {};
          } catch (err) {
            throw fail(err);
          }
        },
    [query],
  );
  const rows = asArray(res.data?.data ?? null).filter(isObject);
  return (
    <section class="panel" aria-labelledby="catalog-title">
      <h2 id="catalog-title">Cost map search</h2>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <label for="catalog-q">Model name contains</label>
        <input
          id="catalog-q"
          type="search"
          value={q}
          spellcheck={false}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Search</button>
      </form>
      {res.data ? (
        <p class="muted small" id="catalog-meta">
          {formatInt(res.data.total_matches ?? '0')} match(es) in {asString(res.data.source)} (snapshot{' '}
          {asString(res.data.snapshot)}, {formatInt(res.data.size ?? '0')} entries)
          {rows.length < Number(asString(res.data.total_matches ?? null) ?? '0')
            ? `; first ${rows.length} shown`
            : ''}
          .
        </p>
      ) : null}
      {res.loading ? <Loading what="the cost map" /> : null}
      <ErrorNotice error={res.error} />
      {rows.length ? (
        <TableScroll label="Cost map entries, USD per token (and per million tokens)">
          <table class="data" id="catalog-table">
            <caption class="visually-hidden">
              Cost map entries, USD per token (and per million tokens)
            </caption>
            <thead>
              <tr>
                <th scope="col">Entry</th>
                <th scope="col">Provider · mode</th>
                <th scope="col">Input</th>
                <th scope="col">Output</th>
                <th scope="col">Cache read</th>
                <th scope="col">Cache write</th>
                <th scope="col">Other prices</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const prices = isObject(r.prices) ? r.prices : {};
                const other = Object.entries(prices).filter(([k]) => !CATALOG_COLUMNS.includes(k));
                return (
                  <tr key={asString(r.key)} data-entry={asString(r.key) ?? ''}>
                    <th scope="row" class="wrap">
                      {asString(r.key)}
                    </th>
                    <td>
                      {asString(r.litellm_provider) ?? '–'} · {asString(r.mode) ?? '–'}
                    </td>
                    {CATALOG_COLUMNS.map((k) => (
                      <td key={k} class="nowrap">
                        {prices[k] !== undefined ? <PriceCell priceKey={k} usd={prices[k]} /> : '–'}
                      </td>
                    ))}
                    <td>
                      {other.length ? (
                        <details>
                          <summary>{other.length} more</summary>
                          <ul class="price-list">
                            {other.map(([k, v]) => (
                              <li key={k}>
                                <code>{k}</code> <Money value={v} />
                              </li>
                            ))}
                          </ul>
                        </details>
                      ) : (
                        '–'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
    </section>
  );
}

export function ModelsPage() {
  const { api, fail } = useConsole();
  const res = useLoad(async () => {
    try {
      const [explain, info] = await Promise.all([api.get('/pricing/explain'), api.get('/model/info')]);
      const byId = new Map<string, JsonObject>();
      for (const d of asArray(isObject(info.body) ? info.body.data : null).filter(isObject)) {
        const mi = isObject(d.model_info) ? d.model_info : {};
        byId.set(asString(mi.id) ?? '', d);
      }
      return {
        explain: asArray(isObject(explain.body) ? explain.body.data : null).filter(isObject),
        info: byId,
      };
    } catch (err) {
      throw fail(err);
    }
  }, []);
  return (
    <>
      <h1 class="page-title">Models & pricing</h1>
      <ErrorNotice error={res.error} />
      <section class="panel" aria-labelledby="deployments-title">
        <h2 id="deployments-title">Deployments</h2>
        {res.loading ? <Loading what="deployments" /> : null}
        {res.data ? <Deployments explain={res.data.explain} info={res.data.info} /> : null}
      </section>
      {res.data ? <PricingCalculator deployments={res.data.explain} /> : null}
      <CatalogSearch />
    </>
  );
}
