/**
 * @module providers/mock/mock-family
 * `mock_response` (in the deployment's litellm_params or in the request) as an ordinary family: its
 * in-process `send` plays the upstream, answering in the real wire format of the call type, and the
 * OpenAI / Anthropic handlers parse and decode it exactly as they would a remote answer. No engine branch.
 */

import { parseAnthropicMessage } from '../anthropic/anthropic-family.js';
import { createAnthropicPassthroughDecoder } from '../anthropic/anthropic-stream.js';
import { parseOpenAiResponse } from '../openai-compatible/openai-endpoints.js';
import { classifyOpenAiError } from '../openai-compatible/openai-error.js';
import { createOpenAiStreamDecoder } from '../openai-compatible/openai-stream.js';
import { responsesViaChat } from '../responses/responses-via-chat.js';
import type {
  CallInput,
  CallType,
  EndpointHandler,
  ProviderFamily,
  UpstreamReply,
  UpstreamRequest,
} from '../types.js';
import { mockResponse, mockStream } from './mock-wire.js';

const encoder = new TextEncoder();

function build(input: CallInput): UpstreamRequest {
  return { url: `mock:${input.callType}`, method: 'POST', headers: {}, body: null };
}

function reply(pieces: string[]): UpstreamReply {
  return {
    status: 200,
    headers: {},
    body: (async function* () {
      for (const p of pieces) yield encoder.encode(p);
    })(),
    text: async () => pieces.join(''),
  };
}

async function send(req: UpstreamRequest, input: CallInput): Promise<UpstreamReply> {
  const text = input.mockResponse ?? input.deployment.mockResponse ?? '';
  // The wire format is the built request's (a translated call, e.g. responses served via chat, builds `mock:chat`).
  const callType = req.url.slice('mock:'.length) as CallType;
  if (input.stream) return reply(mockStream(callType, input.body, input.deployment, text).chunks);
  return reply([JSON.stringify(mockResponse(callType, input.body, input.deployment, text).body)]);
}

function openAiShaped(callType: CallType, streams: boolean): EndpointHandler {
  return {
    build,
    parse: (json, raw, input) => parseOpenAiResponse(callType, json, raw, input),
    decoder: streams
      ? (input) =>
          createOpenAiStreamDecoder(input, {
            object: callType === 'completion' ? 'text_completion' : 'chat.completion.chunk',
          })
      : undefined,
  };
}

const mockChat = openAiShaped('chat', true);

export const mockFamily: ProviderFamily = {
  name: 'mock',
  endpoints: {
    chat: mockChat,
    // The Responses API through the chat translation, exactly as for a chat-only provider.
    responses: responsesViaChat(mockChat),
    completion: openAiShaped('completion', true),
    embedding: openAiShaped('embedding', false),
    image_generation: openAiShaped('image_generation', false),
    anthropic_messages: {
      build,
      parse(json, raw) {
        const { msg, parsed } = parseAnthropicMessage(json);
        return { ...parsed, body: msg, text: raw };
      },
      decoder: createAnthropicPassthroughDecoder,
    },
  },
  send,
  classifyError: classifyOpenAiError,
};
