/**
 * @module ui/components/pricing-calculator
 * Usage → exact cost: token counts per class for a model group (or one deployment) are priced by
 * the gateway (POST /pricing/calculate) with the same prices and code as real requests, and shown
 * line by line with the same explanation as a logged request.
 */
import { useState } from 'preact/hooks';
import { useConsole } from '../lib/context';
import { asArray, asString, isObject, type JsonObject } from '../lib/exact-json';
import { PriceExplanation } from './log-detail';
import { Money } from './money';
import { ErrorNotice } from './notice';

const USAGE_FIELDS = [
  ['prompt_tokens', 'Prompt tokens (all input, cached included)'],
  ['completion_tokens', 'Completion tokens (reasoning included)'],
  ['cache_read_tokens', 'of which cache read'],
  ['cache_creation_tokens', 'of which cache write'],
  ['reasoning_tokens', 'of which reasoning'],
  ['audio_input_tokens', 'of which audio input'],
  ['audio_output_tokens', 'of which audio output'],
  ['duration_ms', 'Duration (ms, for per-second prices)'],
] as const;

export function PricingCalculator({ deployments }: { deployments: JsonObject[] }) {
  const { api, fail } = useConsole();
  const groups = [...new Set(deployments.map((d) => asString(d.model_name) ?? ''))].filter(Boolean);
  const [model, setModel] = useState(groups[0] ?? '');
  const [deployment, setDeployment] = useState('');
  const [values, setValues] = useState<Record<string, string>>({
    prompt_tokens: '1000',
    completion_tokens: '500',
  });
  const [result, setResult] = useState<JsonObject | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inGroup = deployments.filter((d) => asString(d.model_name) === model);
  return (
    <section class="panel" aria-labelledby="calc-title">
      <h2 id="calc-title">Price calculator</h2>
      <form
        id="calc-form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const usage: Record<string, number> = {};
            for (const [k] of USAGE_FIELDS) {
              const v = (values[k] ?? '').trim();
              if (v === '') continue;
              if (!/^\d{1,12}$/.test(v)) throw new Error(`${k}: enter a whole number.`);
              usage[k] = Number(v);
            }
            const r = await api.post('/pricing/calculate', {
              model,
              deployment_id: deployment || undefined,
              usage,
            });
            setResult(isObject(r.body) ? r.body : null);
          } catch (err) {
            setResult(null);
            setError(fail(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="form-grid">
          <div class="field">
            <label for="calc-model">Model group</label>
            <select
              id="calc-model"
              value={model}
              onChange={(e) => {
                setModel((e.target as HTMLSelectElement).value);
                setDeployment('');
              }}
            >
              {groups.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </div>
          {inGroup.length > 1 ? (
            <div class="field">
              <label for="calc-deployment">Deployment</label>
              <select
                id="calc-deployment"
                value={deployment}
                onChange={(e) => setDeployment((e.target as HTMLSelectElement).value)}
              >
                <option value="">every deployment of the group</option>
                {inGroup.map((d) => (
                  <option key={asString(d.deployment_id)} value={asString(d.deployment_id) ?? ''}>
                    {asString(d.model)} ({asString(d.deployment_id)})
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {USAGE_FIELDS.map(([k, label]) => (
            <div class="field" key={k}>
              <label for={`calc-${k}`}>{label}</label>
              <input
                id={`calc-${k}`}
                type="text"
                inputMode="numeric"
                value={values[k] ?? ''}
                onInput={(e) => setValues((v) => ({ ...v, [k]: (e.target as HTMLInputElement).value }))}
              />
            </div>
          ))}
        </div>
        <div class="actions">
          <button type="submit" disabled={busy || !model}>
            {busy ? 'Calculating…' : 'Calculate'}
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      {result
        ? asArray(result.data)
            .filter(isObject)
            .map((d, i) => {
              const cost = isObject(d.cost) ? d.cost : {};
              const asLog: JsonObject = {
                status: 'success',
                spend: cost.costUsd ?? null,
                pricing_source: cost.source ?? null,
                cost_breakdown: cost,
                estimated: false,
                unpriced_parts: cost.unpriced_parts ?? null,
                price_version: d.price_version ?? null,
              };
              return (
                <article
                  class="calc-result"
                  key={asString(d.deployment_id)}
                  data-deployment-id={asString(d.deployment_id) ?? ''}
                >
                  <h3>
                    {asString(d.model)} <span class="muted small mono">{asString(d.deployment_id)}</span>:{' '}
                    <Money value={cost.costUsd} class="calc-total" />
                  </h3>
                  <PriceExplanation log={asLog} idPrefix={`calc-${i}`} />
                  <p class="muted small mono wrap">{asString(d.explanation)}</p>
                </article>
              );
            })
        : null}
    </section>
  );
}
