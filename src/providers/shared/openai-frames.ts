/**
 * @module providers/shared/openai-frames
 * The last frames of an OpenAI-format stream as the gateway writes them after pricing: the usage chunk
 * (only when the client asked for one with `stream_options.include_usage`, as OpenAI does) whose
 * `usage.cost` is the exact decimal written as a JSON number, then `data: [DONE]`; or an error frame in
 * the OpenAI error shape. Shared by every decoder whose client speaks OpenAI chat/completions.
 */
import type { GatewayError } from '../../errors.js';
import { exact, stringifyExact } from '../../pricing/exact-json.js';
import type { StreamFinal } from '../types.js';
import type { Json } from './json.js';
import { usageToOpenAi } from './openai-usage.js';
import { sseData } from './sse.js';

export const SSE_DONE = 'data: [DONE]\n\n';

/** `data: {"error":{…}}` (the SDKs raise it as an APIError). */
export function openAiErrorFrame(error: GatewayError): string {
  return sseData(JSON.stringify(error.toJSON()));
}

/**
 * The closing frames. `chunk` is the usage chunk to send (the upstream's own, or one the decoder
 * synthesised with id/model/created); `reportedUsage` is the upstream's usage object, forwarded with its
 * provider-specific fields unless the gateway had to estimate.
 */
export function openAiClosingFrames(chunk: Json, reportedUsage: unknown, final: StreamFinal): string {
  if (!final.includeUsage) return SSE_DONE;
  const base =
    !final.usage.estimated && reportedUsage !== null && typeof reportedUsage === 'object'
      ? (reportedUsage as Json)
      : usageToOpenAi(final.usage);
  const usage: Json = { ...base, cost: exact(final.costText), request_id: final.requestId };
  if (final.usage.estimated) usage.estimated = true;
  return sseData(stringifyExact({ ...chunk, usage })) + SSE_DONE;
}
