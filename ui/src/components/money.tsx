/**
 * @module ui/components/money
 * Money as the gateway sent it (exact decimal text, never a float), with the exact text in
 * data-value for tests and copy; spend against a budget as a bar (width from a BigInt ratio).
 */
import { basisPoints, formatUsd, moneyText } from '../lib/money';

export function Money({ value, class: cls }: { value: unknown; class?: string }) {
  const text = moneyText(value);
  return (
    <span class={`money${cls ? ` ${cls}` : ''}`} data-value={text ?? undefined}>
      {formatUsd(value)}
    </span>
  );
}

/** "$0.42 of $10.00" with a bar; "no budget" when there is none. */
export function BudgetBar({ spend, max, soft }: { spend: unknown; max: unknown; soft?: unknown }) {
  const bp = basisPoints(spend, max);
  const softBp = soft !== undefined ? basisPoints(soft, max) : null;
  if (bp === null) {
    return (
      <span class="budget">
        <Money value={spend} /> <span class="muted small">no budget</span>
      </span>
    );
  }
  const pct = Math.min(100, bp / 100);
  const level = bp >= 10000 ? 'over' : bp >= 8000 || (softBp !== null && bp >= softBp) ? 'near' : 'ok';
  const label = `${(bp / 100).toFixed(2)}% of budget used`;
  return (
    <span class="budget">
      <span>
        <Money value={spend} /> <span class="muted">of</span> <Money value={max} />
      </span>
      <meter class={`bar ${level}`} min={0} max={100} value={pct} aria-label={label} title={label} />
    </span>
  );
}
