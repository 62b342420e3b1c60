/**
 * @module metrics-budgets
 * LiteLLM's budget gauges for keys and teams (remaining, max, hours to reset), set in the background
 * after requests of budgeted keys and teams (see metrics-sink.ts). Keys and teams over the label
 * limit are not exported.
 */
import { Gauge } from 'prom-client';
import { registry } from './metrics.js';
import { labelFits } from './metrics-litellm.js';
import { formatMoney, type Money } from './pricing/money.js';

const keyRemaining = new Gauge({
  name: 'litellm_remaining_api_key_budget_metric',
  help: 'Remaining budget of a virtual key (USD)',
  labelNames: ['hashed_api_key', 'api_key_alias'],
  registers: [registry],
});
const keyMax = new Gauge({
  name: 'litellm_api_key_max_budget_metric',
  help: 'Max budget of a virtual key (USD)',
  labelNames: ['hashed_api_key', 'api_key_alias'],
  registers: [registry],
});
const keyHours = new Gauge({
  name: 'litellm_api_key_budget_remaining_hours_metric',
  help: 'Hours until the virtual key budget resets',
  labelNames: ['hashed_api_key', 'api_key_alias'],
  registers: [registry],
});
const teamRemaining = new Gauge({
  name: 'litellm_remaining_team_budget_metric',
  help: 'Remaining budget of a team (USD)',
  labelNames: ['team', 'team_alias'],
  registers: [registry],
});
const teamMax = new Gauge({
  name: 'litellm_team_max_budget_metric',
  help: 'Max budget of a team (USD)',
  labelNames: ['team', 'team_alias'],
  registers: [registry],
});
const teamHours = new Gauge({
  name: 'litellm_team_budget_remaining_hours_metric',
  help: 'Hours until the team budget resets',
  labelNames: ['team', 'team_alias'],
  registers: [registry],
});

export interface BudgetSnapshot {
  alias: string | null;
  maxBudget: Money | null;
  spend: Money;
  /** Epoch ms of the next reset, or null. */
  resetAt: number | null;
}

export function setBudgetGauges(kind: 'key' | 'team', id: string, b: BudgetSnapshot, now: number): void {
  if (b.maxBudget === null) return;
  if (!labelFits(kind, id)) return; // over the label limit: not exported
  const remaining = b.maxBudget - b.spend;
  const hours = b.resetAt === null ? null : Math.max(0, b.resetAt - now) / 3_600_000;
  if (kind === 'key') {
    const l = { hashed_api_key: id, api_key_alias: b.alias ?? '' };
    keyRemaining.set(l, Number(formatMoney(remaining)));
    keyMax.set(l, Number(formatMoney(b.maxBudget)));
    if (hours !== null) keyHours.set(l, hours);
  } else {
    const l = { team: id, team_alias: b.alias ?? '' };
    teamRemaining.set(l, Number(formatMoney(remaining)));
    teamMax.set(l, Number(formatMoney(b.maxBudget)));
    if (hours !== null) teamHours.set(l, hours);
  }
}
