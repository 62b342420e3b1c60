/**
 * @module ui/components/log-table
 * Spend-log rows (newest first): short request id on one line (full id in its title and the detail
 * view), time in the chosen zone, model group, key, customer, tags, tokens, exact cost with
 * unpriced/estimated badges, status and pricing source. "Details" opens the price explanation.
 */
import { asString, type JsonObject } from '../lib/exact-json';
import { shortId, sourceLabel, tagsOf, unpricedState } from '../lib/log-fields';
import { formatInt } from '../lib/money';
import { formatTime } from '../lib/time';
import { Money } from './money';
import { TableScroll } from './table-scroll';

export function UnpricedBadge({ state }: { state: 'unpriced' | 'partial' | null }) {
  if (!state) return null;
  return state === 'unpriced' ? (
    <span class="badge warn" title="No price was found: the cost was recorded as 0, the request was not free">
      unpriced
    </span>
  ) : (
    <span class="badge warn" title="Some token classes had no price: the cost shown is a lower bound">
      partly unpriced
    </span>
  );
}

function StatusCell({ log }: { log: JsonObject }) {
  const ok = log.status === 'success';
  const http = asString(log.http_status);
  return (
    <td
      class={ok ? 'result ok' : 'result bad'}
      title={!ok ? (asString(log.error_message) ?? undefined) : undefined}
    >
      {asString(log.status) ?? '–'}
      {!ok && http ? ` ${http}` : ''}
    </td>
  );
}

export function LogTable({
  id,
  logs,
  timeZone,
  onOpen,
  emptyText,
  caption,
}: {
  id: string;
  logs: JsonObject[] | null;
  timeZone: string;
  onOpen: (log: JsonObject) => void;
  emptyText: string;
  caption: string;
}) {
  return (
    <TableScroll label={caption}>
      <table id={id} class="data logs">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Time</th>
            <th scope="col">Model group</th>
            <th scope="col">Key</th>
            <th scope="col">Customer</th>
            <th scope="col">Tags</th>
            <th scope="col" class="num">
              Tokens
            </th>
            <th scope="col" class="num">
              Cost
            </th>
            <th scope="col">Status</th>
            <th scope="col">Pricing source</th>
          </tr>
        </thead>
        <tbody>
          {!logs || logs.length === 0 ? (
            <tr>
              <td colSpan={10} class="empty">
                {logs ? emptyText : 'No data.'}
              </td>
            </tr>
          ) : (
            logs.map((log) => {
              const rid = asString(log.request_id) ?? '';
              const tags = tagsOf(log);
              const src = sourceLabel(log.pricing_source);
              return (
                <tr key={rid} data-request-id={rid}>
                  <td class="mono nowrap">
                    <button
                      type="button"
                      class="link"
                      title={`Details of request ${rid}`}
                      onClick={() => onOpen(log)}
                    >
                      <span class="visually-hidden">Details of request </span>
                      {shortId(rid)}
                    </button>
                  </td>
                  <td class="nowrap">{formatTime(log.startTime, timeZone)}</td>
                  <td title={asString(log.model) ? `deployment model ${asString(log.model)}` : undefined}>
                    {asString(log.model_group) || asString(log.model) || '–'}
                  </td>
                  <td>
                    {asString(log.key_alias) ??
                      (asString(log.api_key) ? `…${asString(log.api_key)?.slice(-8)}` : 'master')}
                  </td>
                  <td>{asString(log.end_user) || '–'}</td>
                  <td>
                    {tags.length
                      ? tags.map((t) => (
                          <span class="tag" key={t}>
                            {t}
                          </span>
                        ))
                      : '–'}
                  </td>
                  <td
                    class="num nowrap"
                    title={`prompt ${asString(log.prompt_tokens)} + completion ${asString(log.completion_tokens)}`}
                  >
                    {formatInt(log.total_tokens)}
                  </td>
                  <td class="num nowrap cost">
                    <Money value={log.spend} />
                    <UnpricedBadge state={unpricedState(log)} />
                    {log.estimated === true ? (
                      <span class="badge" title="Token counts were estimated by the gateway">
                        est.
                      </span>
                    ) : null}
                  </td>
                  <StatusCell log={log} />
                  <td class="source" title={src.full}>
                    <span class="source-kind">{src.short}</span>
                    {src.full !== src.short ? (
                      <span class="muted small source-rest">{src.full.slice(src.short.length + 1)}</span>
                    ) : null}
                  </td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}
