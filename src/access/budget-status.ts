/**
 * @module access/budget-status
 * Read-only views of budgets for metrics and alerts: a key's or team's max budget, live spend (the
 * counter when there is one, else tg_spend_totals) and next reset; team aliases and user e-mails
 * from the record caches without waiting on the database (labels).
 */
import type { Money } from '../pricing/money.js';
import type { AccessCore } from './core.js';
import { periodEndOf } from './core.js';

export interface BudgetStatus {
  alias: string | null;
  maxBudget: Money | null;
  spend: Money;
  resetAt: number | null;
}

export async function budgetStatus(
  core: AccessCore,
  kind: 'key' | 'team',
  id: string,
): Promise<BudgetStatus | null> {
  const rec = kind === 'key' ? await core.keys.get(id) : await core.teams.get(id);
  if (!rec || rec.maxBudget === null) return null;
  const spend = await core.spendOf(kind, id, rec);
  const end = periodEndOf(rec, core.now());
  const alias = 'keyAlias' in rec ? rec.keyAlias : (rec as { teamAlias: string | null }).teamAlias;
  return { alias, maxBudget: rec.maxBudget, spend, resetAt: end > 0 ? end : null };
}

export function teamAliasOf(core: AccessCore, teamId: string): string | null {
  return core.teams.peek(teamId)?.teamAlias ?? null;
}

export function userEmailOf(core: AccessCore, userId: string): string | null {
  return core.users.peek(userId)?.userEmail ?? null;
}
