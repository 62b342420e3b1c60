/**
 * @module ui/tables
 * Renders the "top N" tables and the recent-logs table. Everything goes in through textContent
 * (never innerHTML): model names, tags and end-user ids are data from API callers.
 */
import { formatInt, formatTime, formatUsd } from './format.js';

export const TOP_N = 10;

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'className') node.className = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

function emptyRow(cols, text) {
  return el('tr', {}, [el('td', { colspan: cols, className: 'empty', text })]);
}

/** One "top" row per /spend/summary series: label, then spend, requests and tokens. */
export function seriesRows(series, labelOf) {
  return series.map((s) => ({
    ...labelOf(s),
    spend: s.spend,
    requests: s.requests,
    tokens: s.total_tokens,
  }));
}

export const LABELS = {
  model: (s) => ({ name: s.group.model ?? '(unknown model)' }),
  key: (s) => {
    const hash = s.group.key;
    if (s.labels?.key) return { name: s.labels.key, title: hash ? `sha256 ${hash}` : undefined };
    if (!hash) return { name: '(no key / master key)' };
    return { name: `key …${hash.slice(-10)}`, title: `sha256 ${hash}` };
  },
  team: (s) =>
    s.labels?.team
      ? { name: s.labels.team, title: `team_id ${s.group.team}` }
      : { name: s.group.team ?? 'Unassigned team' },
  customer: (s) => ({ name: s.group.customer ?? '(no customer)' }),
  tag: (s) => ({ name: s.group.tag ?? '(untagged)' }),
};

/** Fills a 4-column top table (name, spend, requests, tokens), first TOP_N rows. */
export function renderTopTable(table, rows) {
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  if (rows.length === 0) {
    tbody.append(emptyRow(4, 'No spend in this range.'));
    return;
  }
  for (const r of rows.slice(0, TOP_N)) {
    tbody.append(
      el('tr', {}, [
        el('th', { scope: 'row', text: r.name, title: r.title }),
        el('td', { className: 'num money', 'data-value': r.spend, text: formatUsd(r.spend) }),
        el('td', { className: 'num', text: formatInt(r.requests) }),
        el('td', { className: 'num', text: formatInt(r.tokens) }),
      ]),
    );
  }
  if (rows.length > TOP_N) {
    tbody.append(emptyRow(4, `…and ${rows.length - TOP_N} more (top ${TOP_N} by spend shown).`));
  }
}

/** Shows a message in place of a table's rows (e.g. when its request failed). */
export function renderTableMessage(table, text) {
  const cols = table.tHead?.rows[0]?.cells.length ?? 1;
  table.tBodies[0].replaceChildren(emptyRow(cols, text));
}

function tagsOf(log) {
  return Array.isArray(log.request_tags) ? log.request_tags.filter((t) => typeof t === 'string') : [];
}

function statusCell(log) {
  const ok = log.status === 'success';
  const parts = [log.status ?? '–'];
  if (!ok && log.http_status) parts.push(String(log.http_status));
  const cell = el('td', { className: ok ? 'result ok' : 'result bad', text: parts.join(' ') });
  if (!ok && log.error_message) cell.title = String(log.error_message);
  return cell;
}

/** Appends /spend/logs rows (newest first) to the logs table. */
export function renderLogRows(table, logs, { append }) {
  const tbody = table.tBodies[0];
  if (!append) tbody.replaceChildren();
  if (!append && logs.length === 0) {
    tbody.append(emptyRow(10, 'No requests in this range.'));
    return;
  }
  for (const log of logs) {
    const tags = tagsOf(log);
    const source = [log.pricing_source ?? '–', log.estimated === true ? '(estimated)' : '']
      .filter(Boolean)
      .join(' ');
    tbody.append(
      el('tr', { 'data-request-id': log.request_id }, [
        el('td', { className: 'mono', text: log.request_id }),
        el('td', { className: 'nowrap', text: formatTime(log.startTime) }),
        el('td', {
          text: log.model_group || log.model || '–',
          title: log.model ? `deployment model ${log.model}` : undefined,
        }),
        el('td', { text: log.key_alias ?? '–' }),
        el('td', { text: log.end_user || '–' }),
        el('td', {}, tags.length ? tags.map((t) => el('span', { className: 'tag', text: t })) : ['–']),
        el('td', {
          className: 'num nowrap',
          title: `prompt ${log.prompt_tokens} + completion ${log.completion_tokens}`,
          text: formatInt(log.total_tokens),
        }),
        el('td', { className: 'num money', 'data-value': log.spend, text: formatUsd(log.spend) }),
        statusCell(log),
        el('td', { className: 'small', text: source }),
      ]),
    );
  }
}
