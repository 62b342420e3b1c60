/**
 * @module ui/app
 * The usage dashboard: sign-in (key kept in sessionStorage only), date range and interval, then
 * one round of spend API calls — /spend/summary by model (cards, chart, top models), by key, team,
 * customer and tag (top tables), and /spend/logs (recent requests, paged by cursor).
 */
import { ApiError, apiGet, describeError, NEXT_CURSOR_HEADER } from './api.js';
import { formatInt, formatUsd, utcDay } from './format.js';
import { renderSpendChart } from './spend-chart.js';
import { LABELS, renderLogRows, renderTableMessage, renderTopTable, seriesRows } from './tables.js';

const KEY_STORAGE = 'tollgate.ui.key';
const LOG_PAGE = 50;
const DEFAULT_DAYS = 30;

const $ = (id) => document.getElementById(id);
const ui = {
  error: $('error'),
  errorTitle: $('error-title'),
  errorDetail: $('error-detail'),
  signin: $('signin'),
  signinForm: $('signin-form'),
  keyInput: $('key-input'),
  signout: $('signout'),
  dashboard: $('dashboard'),
  rangeForm: $('range-form'),
  start: $('start-date'),
  end: $('end-date'),
  interval: $('interval'),
  last30: $('last30'),
  status: $('status'),
  spend: $('total-spend'),
  requests: $('total-requests'),
  failed: $('total-failed'),
  tokens: $('total-tokens'),
  tokenSplit: $('token-split'),
  canvas: $('spend-chart'),
  chartEmpty: $('chart-empty'),
  models: $('top-models'),
  keys: $('top-keys'),
  teams: $('top-teams'),
  customers: $('top-customers'),
  tags: $('top-tags'),
  logs: $('logs'),
  moreLogs: $('more-logs'),
};

let key = null;
let loadSeq = 0;
let logsQuery = null;
let logsCursor = null;

function storedKey() {
  try {
    return window.sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

function storeKey(value) {
  try {
    if (value === null) window.sessionStorage.removeItem(KEY_STORAGE);
    else window.sessionStorage.setItem(KEY_STORAGE, value);
  } catch {
    // storage disabled: the key lives in memory for this page only
  }
}

const getKey = () => key ?? '';

function showError(e) {
  if (!e) {
    ui.error.hidden = true;
    ui.errorTitle.textContent = '';
    ui.errorDetail.textContent = '';
    return;
  }
  ui.errorTitle.textContent = e.title;
  ui.errorDetail.textContent = e.detail ?? '';
  ui.error.hidden = false;
}

function setDefaultRange() {
  ui.end.value = utcDay(0);
  ui.start.value = utcDay(-(DEFAULT_DAYS - 1));
}

function clearData() {
  for (const n of [ui.spend, ui.requests, ui.tokens]) {
    n.textContent = '–';
    n.removeAttribute('data-value');
  }
  ui.failed.textContent = '';
  ui.tokenSplit.textContent = '';
  for (const t of [ui.models, ui.keys, ui.teams, ui.customers, ui.tags, ui.logs])
    t.tBodies[0].replaceChildren();
  ui.moreLogs.hidden = true;
  ui.status.textContent = '';
  ui.canvas.removeAttribute('data-rendered');
}

function showSignedIn(signedIn) {
  ui.signin.hidden = signedIn;
  ui.dashboard.hidden = !signedIn;
  ui.signout.hidden = !signedIn;
  if (!signedIn) ui.keyInput.focus();
}

function signOut(error) {
  key = null;
  storeKey(null);
  loadSeq++;
  clearData();
  showSignedIn(false);
  showError(error ?? null);
}

function renderCards(body) {
  const t = body.totals ?? {};
  ui.spend.textContent = formatUsd(t.spend);
  ui.spend.dataset.value = String(t.spend ?? '');
  ui.requests.textContent = formatInt(t.requests);
  ui.requests.dataset.value = String(t.requests ?? '');
  ui.failed.textContent = t.failed_requests !== undefined ? `${formatInt(t.failed_requests)} failed` : '';
  ui.tokens.textContent = formatInt(t.total_tokens);
  ui.tokens.dataset.value = String(t.total_tokens ?? '');
  ui.tokenSplit.textContent = `${formatInt(t.prompt_tokens)} prompt · ${formatInt(t.completion_tokens)} completion`;
}

function renderChart(body) {
  const drawn = renderSpendChart(ui.canvas, body);
  if (!drawn) {
    ui.chartEmpty.textContent = 'The chart library did not load (/ui/vendor/chart.umd.min.js).';
    ui.chartEmpty.hidden = false;
    return;
  }
  ui.chartEmpty.textContent = 'No spend in this range.';
  ui.chartEmpty.hidden = (body.series ?? []).length > 0;
}

const TOP_TABLES = [
  { dim: 'key', table: () => ui.keys },
  { dim: 'team', table: () => ui.teams },
  { dim: 'customer', table: () => ui.customers },
  { dim: 'tag', table: () => ui.tags },
];

async function fetchLogs(cursor) {
  const params = { ...logsQuery, limit: LOG_PAGE };
  if (cursor) params.cursor = cursor;
  const { body, headers } = await apiGet(getKey, '/spend/logs', params);
  return { logs: Array.isArray(body) ? body : [], cursor: headers.get(NEXT_CURSOR_HEADER) };
}

function showLogs(page, append) {
  renderLogRows(ui.logs, page.logs, { append });
  logsCursor = page.cursor;
  ui.moreLogs.hidden = !logsCursor;
}

/** Loads everything for the current range; resolves false when the key was refused. */
async function load() {
  const seq = ++loadSeq;
  const start = ui.start.value;
  const end = ui.end.value;
  const interval = ui.interval.value;
  if (!start || !end) {
    showError({ title: 'Choose both dates.', detail: 'The range is inclusive and in UTC.' });
    return true;
  }
  showError(null);
  ui.status.textContent = 'Loading…';
  const range = { start_date: start, end_date: end };
  logsQuery = range;
  logsCursor = null;

  const summary = (group_by, iv) => apiGet(getKey, '/spend/summary', { ...range, group_by, interval: iv });
  const calls = [
    summary('model', interval),
    ...TOP_TABLES.map((t) => summary(t.dim, 'month')),
    fetchLogs(null),
  ];
  const results = await Promise.allSettled(calls);
  if (seq !== loadSeq) return true; // a newer load (or sign-out) superseded this one

  const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  const authFailure = failures.find((e) => e instanceof ApiError && e.isAuth);
  if (authFailure) {
    signOut(describeError(authFailure));
    return false;
  }

  const [main, ...rest] = results;
  const tops = rest.slice(0, TOP_TABLES.length);
  const logsResult = rest[TOP_TABLES.length];
  if (main.status === 'fulfilled') {
    renderCards(main.value.body);
    renderChart(main.value.body);
    renderTopTable(ui.models, seriesRows(main.value.body.series ?? [], LABELS.model));
  } else {
    renderTableMessage(ui.models, describeError(main.reason).title);
  }
  tops.forEach((r, i) => {
    const { dim, table } = TOP_TABLES[i];
    if (r.status === 'fulfilled') renderTopTable(table(), seriesRows(r.value.body.series ?? [], LABELS[dim]));
    else renderTableMessage(table(), describeError(r.reason).title);
  });
  if (logsResult.status === 'fulfilled') showLogs(logsResult.value, false);
  else renderTableMessage(ui.logs, describeError(logsResult.reason).title);

  if (failures.length) showError(describeError(failures[0]));
  const when = new Date().toISOString().slice(11, 19);
  ui.status.textContent = `${start} to ${end} (UTC), by ${interval}. Updated ${when} UTC.`;
  return true;
}

async function signIn(value) {
  key = value;
  showSignedIn(true);
  const ok = await load();
  if (ok) storeKey(value);
}

ui.signinForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = ui.keyInput.value.trim();
  ui.keyInput.value = '';
  if (!value) {
    showError({
      title: 'Enter an API key.',
      detail: 'The master key, or a virtual key with get_spend_routes.',
    });
    return;
  }
  void signIn(value);
});

ui.rangeForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void load();
});

ui.last30.addEventListener('click', () => {
  setDefaultRange();
  void load();
});

ui.signout.addEventListener('click', () => signOut(null));

ui.moreLogs.addEventListener('click', async () => {
  ui.moreLogs.disabled = true;
  try {
    const seq = loadSeq;
    const page = await fetchLogs(logsCursor);
    if (seq === loadSeq) showLogs(page, true);
  } catch (err) {
    if (err instanceof ApiError && err.isAuth) signOut(describeError(err));
    else showError(describeError(err));
  } finally {
    ui.moreLogs.disabled = false;
  }
});

setDefaultRange();
const saved = storedKey();
if (saved) void signIn(saved);
else showSignedIn(false);
