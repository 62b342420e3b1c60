/**
 * @module ui/components/spend-chart
 * Spend over time: one stacked bar per period, one colour per model group, from a /spend/summary
 * body. Bar heights are floats (drawing only); tooltips show the exact decimal text the API sent.
 * Models past the first MAX_SERIES are summed exactly (BigInt) into "other". Passing no summary
 * destroys the chart, so an invalid range or a failed load never leaves old bars on screen.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { asArray, asString, isObject, type Json, numText } from '../lib/exact-json';
import { addDecimals, formatUsd } from '../lib/money';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const MAX_SERIES = 8;
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

export interface ChartSeries {
  label: string;
  exact: string[];
}

/** Periods and per-series exact spend from a /spend/summary body (grouped by `dim`). */
export function chartData(summary: Json, dim = 'model'): { labels: string[]; series: ChartSeries[] } {
  if (!isObject(summary)) return { labels: [], series: [] };
  const periods = asArray(summary.periods).map((p) => asString(p) ?? '');
  const all = asArray(summary.series).filter(isObject);
  const byPeriod = (s: Json): string[] => {
    const m = new Map<string, string>();
    if (isObject(s)) {
      for (const pt of asArray(s.data)) {
        if (isObject(pt)) m.set(asString(pt.period) ?? '', numText(pt.spend) ?? '0');
      }
    }
    return periods.map((p) => m.get(p) ?? '0');
  };
  const name = (s: Json) => (isObject(s) && isObject(s.group) ? asString(s.group[dim]) : null) ?? '(none)';
  const series = all.slice(0, MAX_SERIES).map((s) => ({ label: name(s), exact: byPeriod(s) }));
  const rest = all.slice(MAX_SERIES);
  if (rest.length) {
    const cols = rest.map(byPeriod);
    series.push({
      label: `other (${rest.length} models)`,
      exact: periods.map((_, i) => addDecimals(cols.map((c) => c[i]))),
    });
  }
  return { labels: periods, series };
}

export function SpendChart({ summary, caption }: { summary: Json | null; caption: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const data = useMemo(() => (summary ? chartData(summary) : null), [summary]);
  useEffect(() => {
    chart.current?.destroy();
    chart.current = null;
    const c = canvas.current;
    if (!c) return;
    c.dataset.rendered = 'false';
    if (!data || data.series.length === 0) return;
    chart.current = new Chart(c, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: data.series.map((s, i) => ({
          label: s.label,
          data: s.exact.map(Number),
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
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'USD' } },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (ctx) =>
                `${ctx.dataset.label}: ${formatUsd(data.series[ctx.datasetIndex].exact[ctx.dataIndex])}`,
            },
          },
        },
      },
    });
    c.dataset.rendered = 'true';
    c.dataset.datasets = String(data.series.length);
  }, [summary]);
  useEffect(() => () => chart.current?.destroy(), []);
  const empty = !data
    ? 'No data: choose a valid range.'
    : data.series.length === 0
      ? 'No spend in this range.'
      : null;
  return (
    <div class="chart-box">
      <canvas
        ref={canvas}
        id="spend-chart"
        role="img"
        aria-label={
          data?.series.length
            ? `${caption}: ${data.series.map((s) => s.label).join(', ')}`
            : (empty ?? caption)
        }
        hidden={empty !== null}
      />
      {empty ? (
        <p class="chart-empty muted" id="chart-empty">
          {empty}
        </p>
      ) : null}
    </div>
  );
}
