/**
 * @module providers/vertex/vertex-anthropic
 * Claude on Vertex AI: OpenAI chat → the Anthropic Messages body the anthropic family builds, minus
 * `model` (it is in the path) plus `anthropic_version: "vertex-2023-10-16"`, posted to
 * `publishers/anthropic/models/{m}:rawPredict` or `:streamRawPredict`. The answer is an Anthropic Message
 * or its SSE events, parsed and decoded by the anthropic family's own mapping and decoder.
 */
import { parseAnthropicMessage } from '../anthropic/anthropic-family.js';
import { chatToAnthropic } from '../anthropic/anthropic-request.js';
import { anthropicUsage, messageToChat } from '../anthropic/anthropic-response.js';
import { createAnthropicChatDecoder } from '../anthropic/anthropic-stream.js';
import { withDefaults } from '../shared/request-body.js';
import type { CallInput, EndpointHandler, UpstreamRequest } from '../types.js';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** Claude models are served by the `anthropic` publisher; everything else by `google`. */
export function isClaude(model: string): boolean {
  return /^claude/i.test(model);
}

/** The rawPredict body for an OpenAI chat body. */
export function chatToVertexAnthropic(input: CallInput): Record<string, unknown> {
  const d = input.deployment;
  const { model: _model, ...body } = chatToAnthropic(
    withDefaults(input.body, d, d.upstreamModel),
    d.upstreamModel,
    input.stream,
  );
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...body };
}

export function vertexAnthropicChat(
  url: (input: CallInput, method: string) => { url: string; headers: Record<string, string> },
): EndpointHandler {
  return {
    build(input): UpstreamRequest {
      const t = url(input, input.stream ? 'streamRawPredict' : 'rawPredict');
      return {
        url: t.url,
        method: 'POST',
        headers: t.headers,
        body: JSON.stringify(chatToVertexAnthropic(input)),
      };
    },
    parse(json) {
      const { msg, parsed } = parseAnthropicMessage(json);
      return { ...parsed, body: messageToChat(msg, parsed.usage ?? anthropicUsage(undefined)) };
    },
    decoder: createAnthropicChatDecoder,
  };
}
