/**
 * @module access/alert-settings
 * `general_settings` alerting keys (LiteLLM names) → AlertSettings, with startup errors for values
 * that cannot work and warnings for alerting that would send nothing:
 * `alerting: ["slack", "webhook"]` (Slack via SLACK_WEBHOOK_URL, webhook via WEBHOOK_URL or
 * alert_webhook_url), `alert_types: [...]`, `alert_to_webhook_url: {type: url | [urls]}`,
 * `alerting_threshold: <seconds>`.
 */
import { ALERT_TYPES, type AlertSettings, type AlertType, NO_ALERTS } from './alerts.js';

function isUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const KNOWN_LITELLM_TYPES = new Set<string>([
  ...ALERT_TYPES,
  'llm_requests_hanging',
  'cooldown_deployment',
  'region_outage_alerts',
  'fallback_reports',
  'failed_tracking_spend',
]);

export function readAlertSettings(
  raw: Record<string, unknown>,
  webhookUrl: string | undefined,
  env: NodeJS.ProcessEnv,
): { settings: AlertSettings; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const P = 'general_settings';
  const s: AlertSettings = { ...NO_ALERTS, webhookUrls: webhookUrl ? [webhookUrl] : [], slackByType: {} };
  const alerting = Array.isArray(raw.alerting) ? raw.alerting.map(String) : [];
  if (alerting.includes('webhook')) {
    if (isUrl(env.WEBHOOK_URL)) s.webhookUrls.push(env.WEBHOOK_URL);
    else if (!webhookUrl)
      warnings.push(`${P}.alerting lists "webhook" but neither alert_webhook_url nor WEBHOOK_URL is set`);
  }
  if (alerting.includes('slack')) {
    if (isUrl(env.SLACK_WEBHOOK_URL)) s.slackUrls.push(env.SLACK_WEBHOOK_URL);
    else if (raw.alert_to_webhook_url === undefined)
      warnings.push(
        `${P}.alerting lists "slack" but SLACK_WEBHOOK_URL is not set and there is no alert_to_webhook_url`,
      );
  }
  for (const a of alerting)
    if (a !== 'slack' && a !== 'webhook')
      warnings.push(`${P}.alerting: "${a}" is not supported (use slack or webhook)`);
  if (raw.alert_types !== undefined && raw.alert_types !== null) {
    if (!Array.isArray(raw.alert_types)) errors.push(`${P}.alert_types must be a list of alert types`);
    else {
      const types = new Set<AlertType>();
      for (const t of raw.alert_types) {
        if ((ALERT_TYPES as readonly string[]).includes(String(t))) types.add(t as AlertType);
        else if (KNOWN_LITELLM_TYPES.has(String(t)))
          warnings.push(`${P}.alert_types: "${t}" is not raised by Tollgate`);
        else errors.push(`${P}.alert_types: unknown alert type "${t}"; known: ${ALERT_TYPES.join(', ')}`);
      }
      s.types = types;
    }
  }
  const map = raw.alert_to_webhook_url;
  if (map !== undefined && map !== null) {
    if (typeof map !== 'object' || Array.isArray(map))
      errors.push(`${P}.alert_to_webhook_url must map alert types to webhook URLs`);
    else {
      for (const [t, v] of Object.entries(map as Record<string, unknown>)) {
        const urls = Array.isArray(v) ? v : [v];
        if (!urls.every(isUrl)) {
          errors.push(`${P}.alert_to_webhook_url.${t} must be an http(s) URL or a list of them`);
          continue;
        }
        if ((ALERT_TYPES as readonly string[]).includes(t)) s.slackByType[t as AlertType] = urls as string[];
        else if (KNOWN_LITELLM_TYPES.has(t))
          warnings.push(`${P}.alert_to_webhook_url: "${t}" is not raised by Tollgate`);
        else errors.push(`${P}.alert_to_webhook_url: unknown alert type "${t}"`);
      }
    }
  }
  if (raw.alerting_threshold !== undefined && raw.alerting_threshold !== null) {
    const n = Number(raw.alerting_threshold);
    if (!Number.isFinite(n) || n <= 0)
      errors.push(`${P}.alerting_threshold must be a positive number of seconds`);
    else s.thresholdSeconds = n;
  }
  return { settings: s, errors, warnings };
}
