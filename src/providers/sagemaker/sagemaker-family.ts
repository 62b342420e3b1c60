/**
 * @module providers/sagemaker
 * Amazon SageMaker runtime endpoints, SigV4-signed (service `sagemaker`):
 *   `sagemaker/<endpoint>`       InvokeEndpoint(WithResponseStream) with the text-generation container
 *                                format (TGI/LMI: `inputs` + `parameters`), the chat rendered into a
 *                                prompt as LiteLLM renders it (completions: the prompt as is);
 *                                embeddings as `{"inputs": [...]}`.
 *   `sagemaker_chat/<endpoint>`  endpoints serving the OpenAI messages API (TGI/LMI messages API): the
 *                                OpenAI body as is, OpenAI answers and chunks inside the event stream.
 * URL: https://runtime.sagemaker.<region>.amazonaws.com/endpoints/<endpoint>/invocations[-response-stream];
 * `sagemaker_base_url` or `api_base` overrides it (a full …/invocations URL, or a base the path is added
 * to), then AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME / AWS_ENDPOINT_URL. `model_id` in litellm_params names an
 * inference component (X-Amzn-SageMaker-Inference-Component), as in LiteLLM. SageMaker endpoints are
 * usually priced per second (`input_cost_per_second`): the engine bills the upstream call's wall time.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { GatewayError } from '../../errors.js';
import { emptyUsage } from '../../pricing/usage.js';
import { awsHooks } from '../aws/aws-family-hooks.js';
import { openAiBody, parseOpenAiResponse } from '../openai-compatible/openai-endpoints.js';
import { createOpenAiStreamDecoder } from '../openai-compatible/openai-stream.js';
import { embeddingList } from '../shared/embedding-list.js';
import { isRecord, type Json } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { withDefaults } from '../shared/request-body.js';
import { countPromptTokens } from '../token-count.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamRequest } from '../types.js';
import { renderPrompt } from './sagemaker-prompt.js';
import { createPayloadPartDecoder } from './sagemaker-stream.js';
import {
  completionPrompt,
  createTgiStreamDecoder,
  estimatedTgiUsage,
  tgiBody,
  tgiOutput,
  tgiParameters,
  tgiToChat,
  tgiToCompletion,
} from './sagemaker-tgi.js';

const hooks = awsHooks('sagemaker');

const INVOKE = /\/invocations(?:-response-stream)?\/?$/;

/** The invocation URL for a deployment (streaming or not). */
export function sagemakerUrl(d: DeploymentConfig, stream: boolean): string {
  const base = hooks.settings(d).endpoint;
  const suffix = stream ? 'invocations-response-stream' : 'invocations';
  if (INVOKE.test(base)) return base.replace(INVOKE, `/${suffix}`);
  return `${base}/endpoints/${encodeURIComponent(d.upstreamModel)}/${suffix}`;
}

function headersFor(d: DeploymentConfig, stream: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json',
  };
  if (stream) h['x-amzn-sagemaker-accept'] = 'application/json';
  const component = d.deploymentOptions?.model_id;
  if (typeof component === 'string' && component !== '')
    h['x-amzn-sagemaker-inference-component'] = component;
  return h;
}

const headerCache = new WeakMap<DeploymentConfig, [Record<string, string>, Record<string, string>]>();

function request(input: CallInput, body: unknown, stream = input.stream): UpstreamRequest {
  const d = input.deployment;
  let h = headerCache.get(d);
  if (!h) {
    h = [headersFor(d, false), headersFor(d, true)];
    headerCache.set(d, h);
  }
  return {
    url: sagemakerUrl(d, stream),
    method: 'POST',
    headers: h[stream ? 1 : 0],
    body: JSON.stringify(body),
  };
}

const prompts = new WeakMap<CallInput, string>();

/**
 * The prompt of a call, computed once per call and shared by build, parse and the decoder: the chat
 * rendered as LiteLLM renders it, or a completion's prompt as it is.
 */
function promptOf(input: CallInput): string {
  let p = prompts.get(input);
  if (p === undefined) {
    p =
      input.callType === 'completion'
        ? completionPrompt(input.body)
        : renderPrompt(input.deployment, input.body.messages);
    prompts.set(input, p);
  }
  return p;
}

const tgiChat: EndpointHandler = {
  build(input) {
    const merged = withDefaults(input.body, input.deployment, undefined);
    return request(input, tgiBody(promptOf(input), tgiParameters(merged, input.deployment), input.stream));
  },
  parse(json, _raw, input) {
    const prompt = promptOf(input);
    const model = input.deployment.upstreamModel;
    const out = tgiOutput(json, prompt);
    const usage = estimatedTgiUsage(prompt, out.text, model, out.generatedTokens);
    return { body: tgiToChat(out.text, out.finish, model, usage), usage, rawUsage: null };
  },
  decoder: (input) =>
    createPayloadPartDecoder(
      input,
      createTgiStreamDecoder(input, input.deployment.upstreamModel, promptOf(input)),
    ),
};

/** `/v1/completions` on a text-generation endpoint: the prompt as is, a text_completion back. */
const tgiCompletion: EndpointHandler = {
  build: tgiChat.build,
  parse(json, _raw, input) {
    const prompt = promptOf(input);
    const model = input.deployment.upstreamModel;
    const out = tgiOutput(json, prompt);
    const usage = estimatedTgiUsage(prompt, out.text, model, out.generatedTokens);
    return { body: tgiToCompletion(out.text, out.finish, model, usage), usage, rawUsage: null };
  },
  decoder: (input) =>
    createPayloadPartDecoder(
      input,
      createTgiStreamDecoder(input, input.deployment.upstreamModel, promptOf(input), 'text_completion'),
    ),
};

function embeddingInputs(body: Json): string[] {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input as string[];
  throw new GatewayError(
    'TG_ERR_BAD_REQUEST',
    'SageMaker embeddings take `input` as a string or a list of strings.',
    {
      param: 'input',
    },
  );
}

/** Vectors from the shapes embedding containers answer with: a bare list (TEI), `embedding(s)`, `vectors`. */
function embeddingVectors(json: unknown): number[][] {
  const v = Array.isArray(json)
    ? json
    : isRecord(json)
      ? (json.embedding ?? json.embeddings ?? json.vectors)
      : undefined;
  if (!Array.isArray(v)) {
    throw new GatewayError(
      'TG_ERR_UPSTREAM',
      'The SageMaker embedding endpoint answered without embeddings.',
    );
  }
  return (v.length > 0 && typeof v[0] === 'number' ? [v] : v) as number[][];
}

const embedding: EndpointHandler = {
  build(input) {
    return request(input, { inputs: embeddingInputs(input.body) }, false);
  },
  parse(json, _raw, input) {
    const model = input.deployment.upstreamModel;
    const body = embeddingList(embeddingVectors(json), model, input.body.encoding_format);
    // The container reports no usage: count the inputs (flagged estimated).
    const usage = emptyUsage();
    usage.inputTokens = countPromptTokens({ input: input.body.input }, model);
    usage.estimated = true;
    body.usage = usageToOpenAi(usage);
    return { body, usage, rawUsage: null };
  },
};

/** `sagemaker_chat/`: the OpenAI messages API served by the container. */
const messagesChat: EndpointHandler = {
  build: (input) => request(input, openAiBody('chat', input, input.deployment.upstreamModel)),
  parse: (json, raw, input) => parseOpenAiResponse('chat', json, raw, input),
  decoder: (input) =>
    createPayloadPartDecoder(input, createOpenAiStreamDecoder(input, { object: 'chat.completion.chunk' })),
};

const common = {
  authorize: hooks.authorize,
  classifyError: hooks.classifyError,
  checkDeployment: hooks.checkDeployment,
  apiBase: hooks.apiBase,
};

export const sagemakerFamily: ProviderFamily = {
  name: 'sagemaker',
  endpoints: { chat: tgiChat, completion: tgiCompletion, embedding },
  ...common,
};

export const sagemakerChatFamily: ProviderFamily = {
  name: 'sagemaker_chat',
  endpoints: { chat: messagesChat, embedding },
  ...common,
};
