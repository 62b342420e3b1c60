/**
 * @module providers/anthropic/anthropic-usage
 * Anthropic `usage` → Usage, the one usage normaliser of the Anthropic family (Messages, non-streamed and
 * streamed). Anthropic's `input_tokens` EXCLUDES cache reads and writes: they are added back so inputTokens
 * is every prompt token. `cache_creation.ephemeral_1h_input_tokens` are 1-hour cache writes (priced apart
 * from 5-minute writes); `service_tier` (`standard` | `priority` | `batch`) is kept for pricing.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { count, isRecord } from '../shared/json.js';

/** Raw Anthropic usage counters as they accumulate over a stream (fields only overwrite when present). */
export interface AnthropicCounters {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** `cache_creation.ephemeral_1h_input_tokens` (part of cacheWrite). */
  cacheWrite1h: number;
  output: number;
  serviceTier?: string;
}

export function newCounters(): AnthropicCounters {
  return { input: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, output: 0 };
}

/** Apply an Anthropic `usage` object: present fields replace (message_delta values are cumulative). */
export function applyAnthropicUsage(c: AnthropicCounters, raw: unknown): void {
  if (!isRecord(raw)) return;
  if (typeof raw.input_tokens === 'number') c.input = count(raw.input_tokens);
  if (typeof raw.cache_read_input_tokens === 'number') c.cacheRead = count(raw.cache_read_input_tokens);
  if (typeof raw.cache_creation_input_tokens === 'number')
    c.cacheWrite = count(raw.cache_creation_input_tokens);
  const ttl = raw.cache_creation;
  if (isRecord(ttl)) {
    const m5 = count(ttl.ephemeral_5m_input_tokens);
    const h1 = count(ttl.ephemeral_1h_input_tokens);
    c.cacheWrite1h = h1;
    // The breakdown is authoritative when the total is missing or smaller.
    if (c.cacheWrite < m5 + h1) c.cacheWrite = m5 + h1;
  }
  if (typeof raw.output_tokens === 'number') c.output = count(raw.output_tokens);
  if (typeof raw.service_tier === 'string') c.serviceTier = raw.service_tier;
}

export function countersToUsage(c: AnthropicCounters): Usage {
  const usage = emptyUsage();
  usage.cacheReadTokens = c.cacheRead;
  usage.cacheWriteTokens = c.cacheWrite;
  if (c.cacheWrite1h > 0) usage.cacheWrite1hTokens = Math.min(c.cacheWrite1h, c.cacheWrite);
  usage.inputTokens = c.input + c.cacheRead + c.cacheWrite;
  usage.outputTokens = c.output;
  if (c.serviceTier !== undefined) usage.serviceTier = c.serviceTier;
  return usage;
}

/** Anthropic `usage` → Usage (cache tokens added back into inputTokens). */
export function anthropicUsage(raw: unknown): Usage {
  const c = newCounters();
  applyAnthropicUsage(c, raw);
  return countersToUsage(c);
}
