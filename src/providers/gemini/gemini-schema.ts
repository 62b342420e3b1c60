/**
 * @module providers/gemini/gemini-schema
 * JSON Schema (as OpenAI clients send it in tool `parameters` and `response_format.json_schema.schema`)
 * → Gemini's `Schema` (an OpenAPI 3.0 subset). Google rejects keywords outside that subset
 * (`additionalProperties`, `$schema`, `$ref`…), so: local `$ref`s into `$defs`/`definitions` are inlined
 * (bounded depth, so a recursive schema cannot blow up), `type: [T, "null"]` becomes `nullable`,
 * `const` an `enum`, and unsupported keywords are dropped.
 */
import { isRecord, type Json } from '../shared/json.js';

/** Keywords Gemini's Schema accepts (values converted recursively where they hold schemas). */
const KEPT = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'default',
  'minimum',
  'maximum',
  'required',
  'propertyOrdering',
]);

/** Deeper than this, a schema is cut to `{type: object}` (recursive `$ref`s). */
const MAX_DEPTH = 24;

type Defs = Record<string, unknown>;

function resolveRef(ref: string, defs: Defs): unknown {
  const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  return m ? defs[decodeURIComponent(m[1])] : undefined;
}

function convert(schema: unknown, defs: Defs, depth: number): Json {
  if (!isRecord(schema)) return {};
  if (depth > MAX_DEPTH) return { type: 'object' };
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, defs);
    return target === undefined ? { type: 'object' } : convert(target, defs, depth + 1);
  }
  const out: Json = {};
  for (const key in schema) {
    const v = schema[key];
    if (key === 'type' && Array.isArray(v)) {
      const types = v.filter((t) => t !== 'null');
      if (types.length < v.length) out.nullable = true;
      if (types.length === 1) out.type = types[0];
      else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
    } else if (key === 'properties' && isRecord(v)) {
      const props: Json = {};
      for (const name in v) props[name] = convert(v[name], defs, depth + 1);
      out.properties = props;
    } else if (key === 'items') {
      out.items = convert(Array.isArray(v) ? v[0] : v, defs, depth + 1);
    } else if (key === 'anyOf' || key === 'oneOf') {
      const list = Array.isArray(v) ? v : [];
      const nonNull = list.filter((s) => !(isRecord(s) && s.type === 'null'));
      if (nonNull.length < list.length) out.nullable = true;
      const converted = nonNull.map((s) => convert(s, defs, depth + 1));
      if (converted.length === 1) Object.assign(out, converted[0]);
      else if (converted.length > 1) out.anyOf = converted;
    } else if (key === 'allOf' && Array.isArray(v)) {
      for (const s of v) Object.assign(out, convert(s, defs, depth + 1));
    } else if (key === 'const') {
      out.enum = [v];
    } else if (KEPT.has(key)) {
      out[key] = v;
    }
  }
  // Gemini wants enum values as strings.
  if (Array.isArray(out.enum)) {
    out.enum = out.enum.map((e) => String(e));
    out.type ??= 'string';
  }
  return out;
}

/** A Gemini Schema for a JSON Schema (`$defs`/`definitions` of the root are used for `$ref`s). */
export function toGeminiSchema(schema: unknown): Json {
  if (!isRecord(schema)) return { type: 'object' };
  const defs: Defs = { ...(isRecord(schema.definitions) ? schema.definitions : {}) };
  if (isRecord(schema.$defs)) Object.assign(defs, schema.$defs);
  return convert(schema, defs, 0);
}
