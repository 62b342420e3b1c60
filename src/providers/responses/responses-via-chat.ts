/**
 * @module providers/responses/responses-via-chat
 * The Responses API for a family without a native one, served through its chat handler (whatever its
 * wire format: Anthropic, Ollama, an OpenAI-compatible chat-only server…): the request is translated to
 * a chat body, the family's chat handler builds, parses and decodes as usual, and the answer is turned
 * back into a response object or Responses stream events. `withResponsesViaChat` adds it to a family's
 * endpoint table where the family serves chat but not `responses`.
 */

import { emptyUsage } from '../../pricing/usage.js';
import { isRecord } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import type { CallInput, EndpointHandler, ProviderFamily } from '../types.js';
import { chatToResponse } from './chat-to-responses.js';
import { responsesToChat } from './responses-to-chat.js';
import { createResponsesViaChatDecoder } from './responses-via-chat-stream.js';

/** The chat call a Responses call becomes (cached per input object: build, parse and decoder share it). */
const chatInputs = new WeakMap<CallInput, CallInput>();
function chatInput(input: CallInput): CallInput {
  let ci = chatInputs.get(input);
  if (!ci) {
    ci = { ...input, callType: 'chat', body: responsesToChat(input.body) };
    chatInputs.set(input, ci);
  }
  return ci;
}

const translated = new WeakSet<EndpointHandler>();

/** True for a `responses` handler that translates to chat (its responses are stored by the gateway). */
export function isTranslatedResponses(handler: EndpointHandler | undefined): boolean {
  return handler !== undefined && translated.has(handler);
}

export function responsesViaChat(chat: EndpointHandler): EndpointHandler {
  const decoder = chat.decoder;
  const handler: EndpointHandler = {
    build: (input) => chat.build(chatInput(input)),
    parse(json, raw, input) {
      const parsed = chat.parse(json, raw, chatInput(input));
      const shown =
        parsed.usage ?? usageFromOpenAi(isRecord(parsed.body) ? parsed.body.usage : null) ?? emptyUsage();
      return {
        body: chatToResponse(parsed.body, input.body, shown),
        usage: parsed.usage,
        rawUsage: parsed.rawUsage,
        responseModel: parsed.responseModel,
      };
    },
    decoder: decoder
      ? (input, reply) => createResponsesViaChatDecoder(decoder(chatInput(input), reply), input)
      : undefined,
  };
  translated.add(handler);
  return handler;
}

/** The family with `responses` served through its chat handler when it has no native one. */
export function withResponsesViaChat(family: ProviderFamily): ProviderFamily {
  const chat = family.endpoints.chat;
  if (!chat || family.endpoints.responses) return family;
  return { ...family, endpoints: { ...family.endpoints, responses: responsesViaChat(chat) } };
}
