/**
 * @module telemetry/otel-settings
 * Whether and where to send OpenTelemetry traces, the way LiteLLM decides it: on when
 * `litellm_settings.callbacks` (or success_callback) lists `otel`, or when an OTLP endpoint is set in
 * the environment (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT, or LiteLLM's
 * OTEL_ENDPOINT). Headers from OTEL_EXPORTER_OTLP_HEADERS / OTEL_HEADERS (`k=v,k2=v2`).
 */

export interface OtelSettings {
  /** Full OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
}

const NAMES = new Set(['otel', 'opentelemetry', 'open_telemetry']);

function listed(v: unknown): boolean {
  return Array.isArray(v) && v.some((x) => typeof x === 'string' && NAMES.has(x.toLowerCase()));
}

function parseHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function readOtelSettings(
  litellm: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): OtelSettings | null {
  const byConfig = listed(litellm.callbacks) || listed(litellm.success_callback);
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!byConfig && !tracesUrl && !base) return null;
  if (env.OTEL_SDK_DISABLED === 'true') return null;
  const url =
    tracesUrl || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
  return {
    url,
    headers: parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS ?? env.OTEL_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME || 'tollgate',
  };
}
