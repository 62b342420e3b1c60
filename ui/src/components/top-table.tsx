/**
 * @module ui/components/top-table
 * A "top N by spend" table from a /spend/summary body grouped by one dimension: name, spend,
 * requests, failed requests, tokens. Says how many more rows there are; flags unpriced traffic.
 */
import type { ComponentChildren } from 'preact';
import { asArray, asString, isObject, type Json } from '../lib/exact-json';
import { formatInt } from '../lib/money';
import { Money } from './money';
import { TableScroll } from './table-scroll';

export const TOP_N = 10;

export interface TopRow {
  name: string;
  title?: string;
  spend: Json;
  requests: Json;
  failed: Json | undefined;
  tokens: Json;
  badge?: ComponentChildren;
}

export type Dim = 'model' | 'key' | 'team' | 'customer' | 'tag';

/** Display name of a series for a dimension (aliases when the API sent them). */
export function labelOf(dim: Dim, s: Json): { name: string; title?: string } {
  const group = isObject(s) && isObject(s.group) ? s.group : {};
  const labels = isObject(s) && isObject(s.labels) ? s.labels : {};
  const id = asString(group[dim]);
  switch (dim) {
    case 'key': {
      const alias = asString(labels.key);
      if (alias) return { name: alias, title: id ? `sha256 ${id}` : undefined };
      return id
        ? { name: `key …${id.slice(-10)}`, title: `sha256 ${id}` }
        : { name: '(master key / no key)' };
    }
    case 'team': {
      const alias = asString(labels.team);
      return alias ? { name: alias, title: `team_id ${id}` } : { name: id ?? 'Unassigned team' };
    }
    case 'customer':
      return { name: id ?? '(no customer)' };
    case 'tag':
      return { name: id ?? '(untagged)' };
    default:
      return { name: id ?? '(unknown model)' };
  }
}

export function seriesRows(dim: Dim, summary: Json | null): TopRow[] {
  if (!isObject(summary)) return [];
  return asArray(summary.series)
    .filter(isObject)
    .map((s) => ({
      ...labelOf(dim, s),
      spend: s.spend,
      requests: s.requests,
      failed: s.failed_requests,
      tokens: s.total_tokens,
    }));
}

export function TopTable({
  id,
  caption,
  nameHeader,
  rows,
  message,
  note,
}: {
  id: string;
  caption: string;
  nameHeader: string;
  rows: TopRow[] | null;
  message?: string | null;
  note?: string;
}) {
  const body = (() => {
    if (message) return <EmptyRow text={message} />;
    if (!rows) return <EmptyRow text="No data." />;
    if (rows.length === 0) return <EmptyRow text="No spend in this range." />;
    return (
      <>
        {rows.slice(0, TOP_N).map((r) => (
          <tr key={r.name}>
            <th scope="row" title={r.title} class="name">
              {r.name}
              {r.badge}
            </th>
            <td class="num">
              <Money value={r.spend} />
            </td>
            <td class="num">{formatInt(r.requests)}</td>
            <td class="num">{r.failed === undefined ? '–' : formatInt(r.failed)}</td>
            <td class="num">{formatInt(r.tokens)}</td>
          </tr>
        ))}
        {rows.length > TOP_N ? (
          <EmptyRow text={`…and ${rows.length - TOP_N} more (top ${TOP_N} by spend shown).`} />
        ) : null}
      </>
    );
  })();
  return (
    <section class="panel">
      <TableScroll label={caption}>
        <table id={id} class="data">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{nameHeader}</th>
              <th scope="col" class="num">
                Spend
              </th>
              <th scope="col" class="num">
                Requests
              </th>
              <th scope="col" class="num">
                Failed
              </th>
              <th scope="col" class="num">
                Tokens
              </th>
            </tr>
          </thead>
          <tbody>{body}</tbody>
        </table>
      </TableScroll>
      {note ? <p class="muted small">{note}</p> : null}
    </section>
  );
}

function EmptyRow({ text }: { text: string }) {
  return (
    <tr>
      <td colSpan={5} class="empty">
        {text}
      </td>
    </tr>
  );
}
