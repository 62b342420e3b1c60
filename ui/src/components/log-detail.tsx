/**
 * @module ui/components/log-detail
 * One request in full, with its price explanation: each token class × unit price = amount (from
 * the row's cost_breakdown), their exact sum checked against the recorded cost, the price source,
 * version and tier, estimated and unpriced flags, the raw usage, the deployment and api_base.
 */
import type { ComponentChildren } from 'preact';
import { asString, isObject, type JsonObject } from '../lib/exact-json';
import { costLines, priceVersion, tagsOf, unpricedParts, unpricedState } from '../lib/log-fields';
import { addDecimals, compareDecimal, formatInt, formatUsd, moneyText } from '../lib/money';
import { formatDuration, formatTime } from '../lib/time';
import { CopyButton } from './copy-button';
import { Dialog } from './dialog';
import { JsonView } from './json-view';
import { UnpricedBadge } from './log-table';
import { Money } from './money';
import { TableScroll } from './table-scroll';

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

const text = (v: unknown) => asString(v) || '–';

function unitLabel(unit: string, quantity: string): string {
  if (unit === 'token') return quantity === '1' ? 'token' : 'tokens';
  if (unit === 'second') return 's';
  return quantity === '1' ? unit : `${unit}s`;
}

export function PriceExplanation({ log, idPrefix = 'explain' }: { log: JsonObject; idPrefix?: string }) {
  const p = idPrefix;
  const lines = costLines(log);
  const state = unpricedState(log);
  const parts = unpricedParts(log);
  const b = isObject(log.cost_breakdown) ? log.cost_breakdown : null;
  const spend = moneyText(log.spend) ?? '0';
  const sum = lines.length ? addDecimals(lines.map((l) => l.amount)) : null;
  const version = priceVersion(log);
  return (
    <section aria-labelledby={`${p}-title`} class="explain">
      <h3 id={`${p}-title`}>
        Price explanation <UnpricedBadge state={state} />
      </h3>
      <dl class="facts">
        <Row label="Price source">
          <code id={`${p}-source`}>{text(log.pricing_source ?? b?.source)}</code>
        </Row>
        <Row label="Price version">
          {version ? <code id={`${p}-version`}>{version}</code> : <span class="muted">not recorded</span>}
        </Row>
        <Row label="Tier">{b && asString(b.tier) ? asString(b.tier) : 'base'}</Row>
        <Row label="Token counts">
          {log.estimated === true ? (
            <span class="badge warn" id={`${p}-estimated`}>
              estimated by the gateway (the provider reported no usage)
            </span>
          ) : (
            'as reported by the provider'
          )}
        </Row>
      </dl>
      {state === 'unpriced' ? (
        <p class="notice error" id={`${p}-unpriced`}>
          No price was found for this deployment: the cost was recorded as {formatUsd('0')} and flagged
          unpriced. The request was not free; set a price in the config (model_info) or the cost map.
        </p>
      ) : null}
      {lines.length > 0 ? (
        <TableScroll label="Cost per token class">
          <table class="data explain-lines" id={`${p}-lines`}>
            <caption class="visually-hidden">Cost per token class</caption>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col" class="num">
                  Quantity
                </th>
                <th scope="col" class="num">
                  × Unit price (USD)
                </th>
                <th scope="col">Price key</th>
                <th scope="col" class="num">
                  = Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={`${l.kind}-${l.priceKey}`} data-kind={l.kind}>
                  <th scope="row">
                    {l.kind}
                    {l.note ? <span class="muted small"> ({l.note})</span> : null}
                  </th>
                  <td class="num nowrap">
                    {formatInt(l.quantity)} {unitLabel(l.unit, l.quantity)}
                  </td>
                  <td class="num nowrap">
                    <Money value={l.unitPrice} />
                  </td>
                  <td>
                    <code>{l.priceKey}</code>
                  </td>
                  <td class="num nowrap">
                    <Money value={l.amount} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={4}>
                  Total recorded cost
                </th>
                <td class="num nowrap" id={`${p}-total`}>
                  <Money value={spend} />
                </td>
              </tr>
            </tfoot>
          </table>
        </TableScroll>
      ) : state !== 'unpriced' ? (
        <p class="muted" id={`${p}-none`}>
          {log.status === 'failure'
            ? 'Failed request: nothing was billed.'
            : 'No billable usage lines were recorded for this request.'}
        </p>
      ) : null}
      {sum !== null && compareDecimal(sum, spend) !== 0 ? (
        <p class="notice error">
          The lines add up to {formatUsd(sum)} but {formatUsd(spend)} was recorded.
        </p>
      ) : sum !== null ? (
        <p class="muted small" id={`${p}-check`}>
          The lines add up exactly to the recorded cost.
        </p>
      ) : null}
      {parts.length > 0 ? (
        <TableScroll label="Unpriced parts (not included in the cost)">
          <table class="data" id={`${p}-unpriced-parts`}>
            <caption>Unpriced parts (not included in the cost)</caption>
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col" class="num">
                  Tokens
                </th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {parts.map((p) => (
                <tr key={p.class}>
                  <th scope="row">{p.class}</th>
                  <td class="num">{formatInt(p.tokens)}</td>
                  <td>{p.reason || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
    </section>
  );
}

export function LogDetail({
  log,
  timeZone,
  onClose,
}: {
  log: JsonObject;
  timeZone: string;
  onClose: () => void;
}) {
  const rid = asString(log.request_id) ?? '';
  const ok = log.status === 'success';
  const tags = tagsOf(log);
  const rawUsage = log.raw_usage;
  return (
    <Dialog title="Request details" onClose={onClose} wide id="log-detail">
      <div class="secret-row">
        <code class="mono wrap" id="detail-request-id">
          {rid}
        </code>
        <CopyButton value={rid} label="Copy the request id" />
      </div>
      <dl class="facts">
        <Row label="Cost">
          <strong>
            <Money value={log.spend} />
          </strong>
        </Row>
        <Row label="Status">
          <span class={ok ? 'result ok' : 'result bad'}>
            {text(log.status)}
            {!ok && asString(log.http_status) ? ` (HTTP ${asString(log.http_status)})` : ''}
          </span>
          {!ok ? (
            <span class="muted">
              {' '}
              {text(log.error_type)}: {text(log.error_message)}
            </span>
          ) : null}
        </Row>
        <Row label="Started">{formatTime(log.startTime, timeZone)}</Row>
        <Row label="Duration">{formatDuration(log.duration_ms)}</Row>
        <Row label="Call">
          {text(log.call_type)}
          {log.stream === true ? ' (stream)' : ''}
        </Row>
        <Row label="Model group">{text(log.model_group)}</Row>
        <Row label="Deployment">
          <code id="detail-deployment">{text(log.model_id)}</code> · <code>{text(log.model)}</code> (provider{' '}
          {text(log.custom_llm_provider)})
        </Row>
        <Row label="api_base">
          <code id="detail-api-base">{text(log.api_base)}</code>
        </Row>
        <Row label="Key">
          {asString(log.api_key) ? (
            <>
              {text(log.key_alias)} <code class="small">sha256 {asString(log.api_key)}</code>
            </>
          ) : (
            'master key'
          )}
        </Row>
        <Row label="User / team">
          {text(log.user)} / {text(log.team_id)}
        </Row>
        <Row label="Customer">{text(log.end_user)}</Row>
        <Row label="Tags">{tags.length ? tags.join(', ') : '–'}</Row>
        <Row label="Tokens">
          {formatInt(log.prompt_tokens)} prompt ({formatInt(log.cache_read_tokens)} cache read,{' '}
          {formatInt(log.cache_creation_tokens)} cache write) · {formatInt(log.completion_tokens)} completion
          ({formatInt(log.reasoning_tokens)} reasoning) · {formatInt(log.total_tokens)} total
        </Row>
      </dl>
      <PriceExplanation log={log} />
      <section aria-labelledby="unit-prices-title">
        <h3 id="unit-prices-title">Unit prices used</h3>
        <JsonView value={log.unit_prices ?? {}} label="Unit prices used, USD per unit" />
      </section>
      <section aria-labelledby="raw-usage-title">
        <h3 id="raw-usage-title">Raw usage from the provider</h3>
        {rawUsage !== undefined && rawUsage !== null ? (
          <JsonView value={rawUsage} label="Raw usage object" />
        ) : (
          <p class="muted" id="raw-usage-none">
            Not recorded for this request.
          </p>
        )}
      </section>
      {Object.keys(isObject(log.metadata) ? log.metadata : {}).length ? (
        <section aria-labelledby="metadata-title">
          <h3 id="metadata-title">Metadata</h3>
          <JsonView value={log.metadata} label="Request metadata" />
        </section>
      ) : null}
    </Dialog>
  );
}
