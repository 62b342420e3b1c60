/**
 * @module mock-upstream/switches
 * Behaviour switches read from the requested model name (for Azure: the deployment name), so a
 * test drives the mock just by naming a model, e.g. `gpt-4o-cache-100-reasoning-20`.
 * See server.ts for the list.
 */

export interface Switches {
  /** Answer this HTTP status with the provider's error body. */
  failStatus?: number;
  /** A 400 of a kind the router treats specially: prompt too long, or a content policy refusal. */
  failKind?: 'context' | 'content';
  /** Fail the first n requests for this model name with 500, then succeed. */
  flaky?: number;
  /** Delay before answering, ms. */
  slowMs: number;
  /** Never answer. */
  hang: boolean;
  /** Cached prompt tokens to report (added to the prompt). */
  cacheRead: number;
  /** Anthropic cache-creation tokens to report (added to the prompt). */
  cacheWrite: number;
  /** Reasoning tokens to report (added to the completion). */
  reasoning: number;
  /** Delay between stream chunks, ms. */
  streamSlowMs: number;
  /** Omit usage (OpenAI include_usage chunk / usage field). */
  noUsage: boolean;
  /** Drop the connection after n content chunks of a stream. */
  cutAfter?: number;
  /** Send a provider error event after the first content chunk of a stream. */
  streamError: boolean;
  /** The stream error event echoes the presented API key (as some upstreams do in auth errors). */
  echoKey: boolean;
  /** Answer with a tool call (when the request declares tools). */
  toolCall: boolean;
  /** Extra uncached prompt tokens to report (stands in for a long prompt, e.g. past a 200k tier). */
  extraPrompt: number;
  /** Gemini: the prompt is blocked for safety (promptFeedback.blockReason). */
  blocked: boolean;
  /** Gemini: a stream event that is not JSON after the first content chunk. */
  malformed: boolean;
  /** Google 429s: the RetryInfo retryDelay, seconds (default 0). */
  retryDelaySeconds?: number;
}

function num(re: RegExp, model: string): number | undefined {
  const m = re.exec(model);
  return m ? Number(m[1]) : undefined;
}

export function parseSwitches(model: string): Switches {
  return {
    failStatus: num(/fail-(\d{3})/, model),
    failKind: model.includes('fail-context')
      ? 'context'
      : model.includes('fail-content')
        ? 'content'
        : undefined,
    flaky: num(/flaky-(\d+)/, model),
    slowMs: num(/(?<!stream-)slow-(\d+)/, model) ?? 0,
    hang: /(^|[^a-z])hang([^a-z]|$)/.test(model),
    cacheRead: num(/cache-(\d+)/, model) ?? 0,
    cacheWrite: num(/cache-write-(\d+)/, model) ?? 0,
    reasoning: num(/reasoning-(\d+)/, model) ?? 0,
    streamSlowMs: num(/stream-slow-(\d+)/, model) ?? 0,
    noUsage: model.includes('no-usage'),
    cutAfter: num(/cut-(\d+)/, model),
    streamError: model.includes('stream-error'),
    echoKey: model.includes('echo-key'),
    toolCall: model.includes('tool-call'),
    extraPrompt: num(/prompt-(\d+)/, model) ?? 0,
    blocked: /(^|[^a-z])blocked([^a-z]|$)/.test(model),
    malformed: model.includes('malformed'),
    retryDelaySeconds: num(/retry-delay-(\d+(?:\.\d+)?)/, model),
  };
}
