/**
 * @module providers/bedrock
 * Amazon Bedrock runtime: chat through Converse / ConverseStream (POST /model/{id}/converse[-stream],
 * event-stream answers), embeddings through InvokeModel (Titan, Cohere Embed), SigV4-signed (service
 * `bedrock`) with the deployment's AWS credentials. The endpoint is `aws_bedrock_runtime_endpoint`, else
 * `api_base` (as in LiteLLM: a Bedrock-runtime URL such as a VPC endpoint, not an OpenAI-compatible one),
 * else AWS_BEDROCK_RUNTIME_ENDPOINT / AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL, else
 * https://bedrock-runtime.<region>.amazonaws.com.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { awsHooks } from '../aws/aws-family-hooks.js';
import { withDefaults } from '../shared/request-body.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamRequest } from '../types.js';
import { embeddingBody, embeddingKind, embeddingToOpenAi } from './bedrock-embedding.js';
import { type BedrockAction, type BedrockModel, bedrockUrl, parseBedrockModel } from './bedrock-model.js';
import { chatToConverse, wantsJson } from './converse-request.js';
import { converseToChat, converseUsage } from './converse-response.js';
import { createConverseStreamDecoder } from './converse-stream.js';

const models = new WeakMap<DeploymentConfig, BedrockModel>();

export function bedrockModelOf(d: DeploymentConfig): BedrockModel {
  let m = models.get(d);
  if (!m) {
    m = parseBedrockModel(d.upstreamModel);
    // LiteLLM's `model_id`: the id or ARN to call (provisioned throughput, imported models) while
    // `model` keeps naming the catalog entry that prices it.
    const override = d.deploymentOptions?.model_id;
    if (typeof override === 'string' && override !== '') m = { ...m, modelId: override };
    models.set(d, m);
  }
  return m;
}

const hooks = awsHooks('bedrock', (d) => bedrockModelOf(d).region);

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json', accept: 'application/json' });
const STREAM_HEADERS = Object.freeze({
  'content-type': 'application/json',
  accept: 'application/vnd.amazon.eventstream',
});

function request(input: CallInput, action: BedrockAction, body: unknown): UpstreamRequest {
  const d = input.deployment;
  const url = bedrockUrl(hooks.settings(d).endpoint, bedrockModelOf(d).modelId, action);
  const stream = action === 'converse-stream' || action === 'invoke-with-response-stream';
  return { url, method: 'POST', headers: stream ? STREAM_HEADERS : JSON_HEADERS, body: JSON.stringify(body) };
}

const chat: EndpointHandler = {
  build(input) {
    const body = withDefaults(input.body, input.deployment, undefined);
    return request(
      input,
      input.stream ? 'converse-stream' : 'converse',
      chatToConverse(body, bedrockModelOf(input.deployment).modelId),
    );
  },
  parse(json, _raw, input) {
    const res = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    const usage = converseUsage(res.usage);
    const model = input.deployment.upstreamModel;
    const body = converseToChat(res, model, usage ?? converseUsage({})!, wantsJson(input.body));
    return { body, usage, rawUsage: res.usage ?? null, responseModel: undefined };
  },
  decoder: (input) =>
    createConverseStreamDecoder(input, input.deployment.upstreamModel, wantsJson(input.body)),
};

const embedding: EndpointHandler = {
  build(input) {
    const kind = embeddingKind(bedrockModelOf(input.deployment).modelId);
    return request(
      input,
      'invoke',
      embeddingBody(kind, withDefaults(input.body, input.deployment, undefined)),
    );
  },
  parse(json, _raw, input) {
    const kind = embeddingKind(bedrockModelOf(input.deployment).modelId);
    return embeddingToOpenAi(kind, json, input.deployment.upstreamModel, input.body);
  },
};

export const bedrockFamily: ProviderFamily = {
  name: 'bedrock',
  endpoints: { chat, embedding },
  authorize: hooks.authorize,
  classifyError: hooks.classifyError,
  checkDeployment: hooks.checkDeployment,
  apiBase: hooks.apiBase,
};
