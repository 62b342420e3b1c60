/**
 * @module ui/spend-chart
 * The spend-over-time chart: a stacked bar per period, one colour per model group, from
 * /spend/summary?group_by=model. Bar heights are floats (drawing only); tooltips show the exact
 * decimal text the API sent. Models past the first MAX_MODELS are summed exactly into "other".
 */
import { addDecimals, formatUsd } from './format.js';

const MAX_MODELS = 8;
const COLORS = [
  '#2563eb',
  '#16a34a',
  '#f59e0b',
  '#dc2626',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#64748b',
];

let chart = null;

/** { labels, datasets: [{ label, exact: string[] }] } from a /spend/summary body. */
export function chartData(summary) {
  const periods = Array.isArray(summary.periods) ? summary.periods : [];
  const series = Array.isArray(summary.series) ? summary.series : [];
  const byPeriod = (s) => {
    const m = new Map();
    for (const pt of s.data ?? []) m.set(pt.period, String(pt.spend));
    return periods.map((p) => m.get(p) ?? '0');
  };
  const shown = series.slice(0, MAX_MODELS).map((s) => ({
    label: s.group?.model ?? '(unknown model)',
    exact: byPeriod(s),
  }));
  const rest = series.slice(MAX_MODELS);
  if (rest.length) {
    const cols = rest.map(byPeriod);
    shown.push({
      label: `other (${rest.length} models)`,
      exact: periods.map((_, i) => addDecimals(cols.map((c) => c[i]))),
    });
  }
  return { labels: periods, datasets: shown };
}

/** Draws (or redraws) the chart on `canvas`; returns false when chart.js did not load. */
export function renderSpendChart(canvas, summary) {
  const Chart = window.Chart;
  if (typeof Chart !== 'function') return false;
  const data = chartData(summary);
  if (chart) chart.destroy();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.datasets.map((d, i) => ({
        label: d.label,
        data: d.exact.map(Number),
        exact: d.exact,
        backgroundColor: COLORS[i % COLORS.length],
        borderWidth: 0,
        stack: 'spend',
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, grid: { display: false } },
        y: {
          stacked: true,
          beginAtZero: true,
          title: { display: true, text: 'USD' },
          ticks: { callback: (v) => `$${v}` },
        },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (ctx) => `${ctx.dataset.label}: ${formatUsd(ctx.dataset.exact[ctx.dataIndex])}`,
          },
        },
      },
    },
  });
  const models = data.datasets.map((d) => d.label).join(', ');
  canvas.setAttribute(
    'aria-label',
    data.datasets.length
      ? `Spend per ${summary.interval} from ${summary.start_date} to ${summary.end_date}, stacked by model: ${models}`
      : `No spend from ${summary.start_date} to ${summary.end_date}`,
  );
  canvas.dataset.rendered = 'true';
  canvas.dataset.datasets = String(data.datasets.length);
  return true;
}
