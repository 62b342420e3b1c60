/**
 * @module providers/bedrock/bedrock-model
 * What `litellm_params.model` says for Bedrock: `bedrock/<model-id>`, `bedrock/converse/<model-id>`,
 * LiteLLM's invoke routes (`bedrock/invoke/…`, `bedrock/llama/…`, `bedrock/nova/…`…), an optional region
 * segment (`bedrock/us-west-2/<model-id>`), cross-region inference profiles (`us.`, `eu.`, `apac.`,
 * `global.`…) and ARNs, which are model ids as they are. Chat always goes through Converse (one wire format
 * for every model family); the invoke routes are accepted as names. The URL carries the id
 * percent-encoded once (`:` → `%3A`, `/` in ARNs → `%2F`), as the AWS SDKs send it.
 */

export interface BedrockModel {
  /** The model id, inference profile id or ARN sent to Bedrock. */
  modelId: string;
  /** A region written in the model name. */
  region?: string;
}

const ROUTES = /^(?:converse|invoke|llama|deepseek_r1|nova|qwen2|qwen3|openai|twelvelabs|moonshot)\//;
const REGION = /^((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov)?-[a-z]+-\d)\/(.+)$/;

export function parseBedrockModel(upstreamModel: string): BedrockModel {
  let id = upstreamModel;
  let region: string | undefined;
  const r = REGION.exec(id);
  if (r) {
    region = r[1];
    id = r[2];
  }
  if (!id.startsWith('arn:')) while (ROUTES.test(id)) id = id.replace(ROUTES, '');
  return region ? { modelId: id, region } : { modelId: id };
}

export type BedrockAction = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export function bedrockUrl(endpoint: string, modelId: string, action: BedrockAction): string {
  return `${endpoint}/model/${encodeURIComponent(modelId)}/${action}`;
}

/** The model family inside an id or profile (`us.anthropic.claude…` → `anthropic`). */
export function bedrockVendor(modelId: string): string {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const parts = id.split('.');
  const cross = new Set(['us', 'eu', 'apac', 'global', 'jp', 'au', 'ca', 'us-gov', 'sa']);
  return (cross.has(parts[0]) ? parts[1] : parts[0]) ?? '';
}
