/**
 * @module ui/lib/form-fields
 * Field definitions of the management forms and how their values become API bodies with LiteLLM's
 * field names. Money is sent as decimal text (the API takes it exactly), whole numbers as numbers,
 * JSON fields parsed. In edit mode only changed fields are sent: re-sending budget_duration would
 * restart the budget period, and null means "leave as is" to the API.
 */
import { asArray, asString, isObject, type Json, type JsonObject, numText } from './exact-json';
import { isMoneyInput, moneyText } from './money';

export type FieldKind =
  | 'text'
  | 'money'
  | 'int'
  | 'duration'
  | 'models'
  | 'json'
  | 'list'
  | 'select'
  | 'checkbox'
  | 'multi';

export interface FieldDef {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  required?: boolean;
  /** Shown only when creating. */
  createOnly?: boolean;
  /** Choices for select/multi: value and label. */
  options?: Array<{ value: string; label: string }>;
  /** Where the field sits: one of the fieldsets of the form. */
  group?: string;
}

export type FormValue = string | boolean | string[];
export type FormState = Record<string, FormValue>;

const DURATION_RE = /^\d{1,6}(s|m|min|h|d|w|mo)$/;

/** A form state from an entity the API returned (edit) or empty (create). */
export function initialState(defs: readonly FieldDef[], entity: JsonObject | null): FormState {
  const out: FormState = {};
  for (const d of defs) {
    const v: Json | undefined = entity ? entity[d.name] : undefined;
    switch (d.kind) {
      case 'checkbox':
        out[d.name] = v === true;
        break;
      case 'models':
      case 'multi':
        out[d.name] = asArray(v ?? null)
          .map((x) => asString(x) ?? '')
          .filter(Boolean);
        break;
      case 'list':
        out[d.name] = asArray(v ?? null)
          .map((x) => asString(x) ?? '')
          .filter(Boolean)
          .join(', ');
        break;
      case 'json':
        out[d.name] = isObject(v) && Object.keys(v).length ? JSON.stringify(v, null, 2) : '';
        break;
      case 'money':
        out[d.name] = moneyText(v) ?? '';
        break;
      default:
        out[d.name] = v === null || v === undefined ? '' : (numText(v) ?? String(v));
    }
  }
  return out;
}

export interface Built {
  body: Record<string, unknown>;
  errors: Record<string, string>;
}

function same(a: FormValue, b: FormValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The API body for the form; `original` (edit mode) limits it to changed fields. */
export function buildBody(defs: readonly FieldDef[], state: FormState, original: FormState | null): Built {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const d of defs) {
    if (original && d.createOnly) continue;
    const v = state[d.name];
    if (original && same(v, original[d.name])) continue;
    const text = typeof v === 'string' ? v.trim() : '';
    const empty = typeof v === 'string' && text === '';
    if (empty) {
      if (d.required) errors[d.name] = `${d.label} is required.`;
      else if (original)
        errors[d.name] = `${d.label} cannot be removed once set (the API keeps it); enter a new value.`;
      continue;
    }
    switch (d.kind) {
      case 'money':
        if (!isMoneyInput(text))
          errors[d.name] = `${d.label}: enter an amount in USD such as 10 or 0.25 (no sign, no $).`;
        else body[d.name] = text;
        break;
      case 'int':
        if (!/^\d{1,12}$/.test(text)) errors[d.name] = `${d.label}: enter a whole number.`;
        else body[d.name] = Number(text);
        break;
      case 'duration':
        if (!DURATION_RE.test(text))
          errors[d.name] = `${d.label}: use a duration such as 30s, 30m, 1h, 1d, 2w or 1mo.`;
        else body[d.name] = text;
        break;
      case 'json': {
        try {
          const parsed = JSON.parse(text) as unknown;
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
            errors[d.name] = `${d.label}: enter a JSON object, e.g. {"env": "prod"}.`;
          else body[d.name] = parsed;
        } catch (e) {
          errors[d.name] = `${d.label}: not valid JSON (${(e as Error).message}).`;
        }
        break;
      }
      case 'list':
        body[d.name] = text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case 'models':
      case 'multi':
        body[d.name] = v;
        break;
      case 'checkbox':
        body[d.name] = v === true;
        break;
      default:
        body[d.name] = text;
    }
  }
  return { body, errors };
}

export const BUDGET_FIELDS: FieldDef[] = [
  {
    name: 'max_budget',
    label: 'Max budget (USD)',
    kind: 'money',
    group: 'Budget',
    hint: 'Requests are refused once spend reaches it.',
  },
  {
    name: 'soft_budget',
    label: 'Soft budget (USD)',
    kind: 'money',
    group: 'Budget',
    hint: 'An alert when spend crosses it; nothing is refused.',
  },
  {
    name: 'budget_duration',
    label: 'Budget period',
    kind: 'duration',
    group: 'Budget',
    hint: 'Spend resets every period: 30d, 1mo, 1w, 1h…',
  },
];

export const LIMIT_FIELDS: FieldDef[] = [
  { name: 'tpm_limit', label: 'Tokens per minute', kind: 'int', group: 'Limits' },
  { name: 'rpm_limit', label: 'Requests per minute', kind: 'int', group: 'Limits' },
  { name: 'max_parallel_requests', label: 'Parallel requests', kind: 'int', group: 'Limits' },
];

/** "rpm 60 · parallel 2", or "none" when no limit is set. */
export function limitsText(e: JsonObject): string {
  const parts: string[] = [];
  for (const [k, label] of [
    ['tpm_limit', 'tpm'],
    ['rpm_limit', 'rpm'],
    ['max_parallel_requests', 'parallel'],
  ] as const) {
    const v = numText(e[k]);
    if (v !== null) parts.push(`${label} ${v.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`);
  }
  return parts.length ? parts.join(' · ') : 'none';
}
