/**
 * @module ui/components/range-bar
 * From / To (inclusive days in the chosen zone), interval, time zone, and quick ranges. The form
 * hands its values to the page on submit; the page decides whether they are valid.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type Interval, lastDays, type Range } from '../lib/range';
import { browserTimeZone, timeZones } from '../lib/time';

export function TimeZoneSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange: (tz: string) => void;
}) {
  const zones = useMemo(() => {
    const all = timeZones();
    return all.includes(value) ? all : [value, ...all];
  }, [value]);
  const mine = browserTimeZone();
  return (
    <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {zones.map((z) => (
        <option key={z} value={z}>
          {z === mine && z !== 'UTC' ? `${z} (this browser)` : z}
        </option>
      ))}
    </select>
  );
}

export function RangeBar({
  range,
  timeZone,
  showInterval,
  onApply,
  children,
}: {
  range: Range;
  timeZone: string;
  showInterval: boolean;
  onApply: (r: Range, timeZone: string) => void;
  children?: ComponentChildren;
}) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [interval, setInterval] = useState<Interval>(range.interval);
  const [tz, setTz] = useState(timeZone);
  useEffect(() => {
    setFrom(range.from);
    setTo(range.to);
    setInterval(range.interval);
    setTz(timeZone);
  }, [range.from, range.to, range.interval, timeZone]);
  const quick = (days: number) => {
    const r = lastDays(days, tz);
    onApply({ ...r, interval }, tz);
  };
  return (
    <form
      class="panel range"
      id="range-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ from, to, interval }, tz);
      }}
    >
      <div class="field">
        <label for="start-date">From</label>
        <input
          id="start-date"
          type="date"
          value={from}
          onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="end-date">To (inclusive)</label>
        <input
          id="end-date"
          type="date"
          value={to}
          onInput={(e) => setTo((e.target as HTMLInputElement).value)}
        />
      </div>
      {showInterval ? (
        <div class="field">
          <label for="interval">Interval</label>
          <select
            id="interval"
            value={interval}
            onChange={(e) => setInterval((e.target as HTMLSelectElement).value as Interval)}
          >
            <option value="day">Day</option>
            <option value="week">Week (Mon–Sun)</option>
            <option value="month">Month</option>
          </select>
        </div>
      ) : null}
      <div class="field">
        <label for="timezone">Time zone</label>
        <TimeZoneSelect id="timezone" value={tz} onChange={setTz} />
      </div>
      <div class="field actions">
        <button type="submit" id="apply">
          Show
        </button>
        <button type="button" class="secondary" onClick={() => quick(7)}>
          Last 7 days
        </button>
        <button type="button" class="secondary" onClick={() => quick(30)}>
          Last 30 days
        </button>
        {children}
      </div>
    </form>
  );
}
