/**
 * @module ui/components/entity-form
 * The create / edit form of keys, teams, users and customers, drawn from field definitions: every
 * input has a label, hints and errors are tied to it with aria-describedby, the first invalid field
 * gets focus, and the gateway's own refusal is shown above the buttons.
 */
import { useMemo, useState } from 'preact/hooks';
import type { JsonObject } from '../lib/exact-json';
import { buildBody, type FieldDef, type FormState, type FormValue, initialState } from '../lib/form-fields';
import { Dialog } from './dialog';
import { ErrorNotice } from './notice';

function Input({
  def,
  value,
  onChange,
  error,
}: {
  def: FieldDef;
  value: FormValue;
  onChange: (v: FormValue) => void;
  error?: string;
}) {
  const id = `fld-${def.name}`;
  const describedBy =
    [def.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined };
  let control: preact.JSX.Element;
  switch (def.kind) {
    case 'checkbox':
      return (
        <div class="field check">
          <input
            type="checkbox"
            {...common}
            checked={value === true}
            onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
          />
          <label for={id}>{def.label}</label>
          {def.hint ? (
            <span id={`${id}-hint`} class="muted small">
              {def.hint}
            </span>
          ) : null}
        </div>
      );
    case 'models':
    case 'multi': {
      const selected = Array.isArray(value) ? value : [];
      return (
        <fieldset class="field multi" aria-describedby={describedBy}>
          <legend>{def.label}</legend>
          {(def.options ?? []).length === 0 ? <span class="muted small">None available.</span> : null}
          {(def.options ?? []).map((o) => (
            <label key={o.value} class="check-option">
              <input
                type="checkbox"
                checked={selected.includes(o.value)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  onChange(on ? [...selected, o.value] : selected.filter((x) => x !== o.value));
                }}
              />{' '}
              {o.label}
            </label>
          ))}
          {def.hint ? (
            <span id={`${id}-hint`} class="muted small">
              {def.hint}
            </span>
          ) : null}
          {error ? (
            <span id={`${id}-error`} class="field-error">
              {error}
            </span>
          ) : null}
        </fieldset>
      );
    }
    case 'select':
      control = (
        <select
          {...common}
          value={String(value)}
          onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
        >
          <option value="">(none)</option>
          {(def.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'json':
      control = (
        <textarea
          {...common}
          rows={3}
          spellcheck={false}
          value={String(value)}
          onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)}
        />
      );
      break;
    default:
      control = (
        <input
          {...common}
          type="text"
          inputMode={def.kind === 'money' ? 'decimal' : def.kind === 'int' ? 'numeric' : undefined}
          spellcheck={false}
          autocomplete="off"
          value={String(value)}
          onInput={(e) => onChange((e.target as HTMLInputElement).value)}
        />
      );
  }
  return (
    <div class="field">
      <label for={id}>
        {def.label}
        {def.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {control}
      {def.hint ? (
        <span id={`${id}-hint`} class="muted small">
          {def.hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} class="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function EntityForm({
  defs,
  initial,
  editing,
  submitLabel,
  onSubmit,
  onCancel,
  id,
}: {
  defs: readonly FieldDef[];
  initial: FormState;
  editing: boolean;
  submitLabel: string;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
  id: string;
}) {
  const [state, setState] = useState<FormState>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const shown = defs.filter((d) => !(editing && d.createOnly));
  const groups = useMemo(() => [...new Set(shown.map((d) => d.group ?? ''))], [shown]);
  return (
    <form
      id={id}
      class="entity-form"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const built = buildBody(defs, state, editing ? initial : null);
        setErrors(built.errors);
        setFailure(null);
        const bad = Object.keys(built.errors);
        if (bad.length) {
          (document.getElementById(`fld-${bad[0]}`) as HTMLElement | null)?.focus();
          return;
        }
        setBusy(true);
        try {
          await onSubmit(built.body);
        } catch (err) {
          setFailure(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      {groups.map((g) => {
        const fields = shown
          .filter((d) => (d.group ?? '') === g)
          .map((d) => (
            <Input
              key={d.name}
              def={d}
              value={state[d.name]}
              error={errors[d.name]}
              onChange={(v) => setState((s) => ({ ...s, [d.name]: v }))}
            />
          ));
        return g ? (
          <fieldset key={g} class="group">
            <legend>{g}</legend>
            <div class="form-grid">{fields}</div>
          </fieldset>
        ) : (
          <div key="main" class="form-grid">
            {fields}
          </div>
        );
      })}
      <ErrorNotice error={failure} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The create / edit dialog of an entity page (teams, customers): the form in a wide dialog, and on
 * submit the create or the update call (the update names the entity by its id field), then done().
 */
export function EntityFormDialog({
  noun,
  id,
  defs,
  entity,
  name,
  save,
  onClose,
  onSaved,
}: {
  /** "team", "customer": the title and button say "Create a team", "Create team". */
  noun: string;
  id: string;
  defs: readonly FieldDef[];
  /** null: create. */
  entity: JsonObject | null;
  name: (e: JsonObject) => string;
  save: (body: Record<string, unknown>, entity: JsonObject | null) => Promise<unknown>;
  onClose: () => void;
  onSaved: () => void;
}) {
  return (
    <Dialog title={entity ? `Edit ${name(entity)}` : `Create a ${noun}`} onClose={onClose} wide>
      <EntityForm
        id={id}
        defs={defs}
        initial={initialState(defs, entity)}
        editing={entity !== null}
        submitLabel={entity ? 'Save changes' : `Create ${noun}`}
        onCancel={onClose}
        onSubmit={async (body) => {
          await save(body, entity);
          onSaved();
        }}
      />
    </Dialog>
  );
}
