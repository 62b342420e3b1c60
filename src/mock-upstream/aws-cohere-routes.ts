/**
 * @module mock-upstream/aws-cohere-routes
 * Dispatch for the AWS services (Bedrock runtime, SageMaker runtime, STS) and Cohere v2, tried before the
 * OpenAI-style routes: each request is authenticated the provider's way (SigV4 recomputed against the key
 * store; a Cohere Bearer key), then the model-name switches apply (fail-, flaky-, slow-, hang, …) and the
 * service answers. Returns false for paths it does not serve.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, type Json } from '../providers/shared/json.js';
import { type AwsRequest, isAuthFailure, type MockAwsState, verifySigV4 } from './aws-auth.js';
import { sendAwsError } from './aws-reply.js';
import { bedrockRoute, handleBedrock } from './bedrock-routes.js';
import { cohereError, cohereKeyError, cohereRoute, handleCohere } from './cohere-routes.js';
import { sleep } from './http-util.js';
import { handleSagemaker, sagemakerRoute } from './sagemaker-routes.js';
import { handleAssumeRole, isStsRequest, stsError } from './sts-routes.js';
import { parseSwitches, type Switches } from './switches.js';

/** STS names the same failures differently from the JSON-protocol services. */
const STS_CODES: Record<string, string> = {
  InvalidSignatureException: 'SignatureDoesNotMatch',
  UnrecognizedClientException: 'InvalidClientTokenId',
  ExpiredTokenException: 'ExpiredToken',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
};

export interface ExtraRouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: Record<string, string>;
  rawBody: string;
  body: unknown;
  aws: MockAwsState;
  apiKeys?: string[];
  flakyCounts: Map<string, number>;
}

/** Switches for a model/endpoint name, with flaky-<n> counted per name; undefined when it must hang. */
async function switchesFor(name: string, flaky: Map<string, number>): Promise<Switches | undefined> {
  const sw = parseSwitches(name);
  if (sw.hang) return undefined;
  if (sw.slowMs > 0) await sleep(sw.slowMs);
  if (sw.flaky !== undefined) {
    const seen = flaky.get(name) ?? 0;
    flaky.set(name, seen + 1);
    if (seen < sw.flaky) sw.failStatus = 500;
  }
  return sw;
}

export async function handleAwsAndCohereRoutes(c: ExtraRouteContext): Promise<boolean> {
  const { req, res, path } = c;
  if (req.method !== 'POST') return false;
  const awsReq: AwsRequest = {
    method: 'POST',
    path,
    query: c.query,
    headers: req.headers,
    rawBody: c.rawBody,
  };
  const contentType = req.headers['content-type'];

  if (isStsRequest(c.rawBody, typeof contentType === 'string' ? contentType : undefined)) {
    const auth = await verifySigV4(awsReq, c.aws, 'sts');
    if (isAuthFailure(auth)) {
      c.aws.stsCalls++;
      stsError(res, auth.status, STS_CODES[auth.type] ?? auth.type, auth.message.split('\n\n')[0]);
      return true;
    }
    handleAssumeRole(res, c.rawBody, c.aws, auth.key.accessKeyId);
    return true;
  }

  const bedrock = bedrockRoute(path);
  const sagemaker = bedrock ? undefined : sagemakerRoute(path);
  if (bedrock || sagemaker) {
    const service = bedrock ? 'bedrock' : 'sagemaker';
    const auth = await verifySigV4(awsReq, c.aws, service);
    if (isAuthFailure(auth)) {
      sendAwsError(res, service, auth.status, auth.type, auth.message);
      return true;
    }
    if (!isRecord(c.body)) {
      sendAwsError(
        res,
        service,
        400,
        service === 'bedrock' ? 'ValidationException' : 'ValidationError',
        'Malformed input request, please reformat your input and try again.',
      );
      return true;
    }
    const name = bedrock ? bedrock.modelId : (sagemaker?.endpoint ?? '');
    const sw = await switchesFor(name, c.flakyCounts);
    if (!sw) return true; // hang: never answered
    if (bedrock) {
      await handleBedrock({
        res,
        modelId: bedrock.modelId,
        action: bedrock.action,
        region: auth.region,
        body: c.body as Json,
        switches: sw,
        state: c.aws,
      });
    } else if (sagemaker) {
      await handleSagemaker({
        res,
        endpoint: sagemaker.endpoint,
        stream: sagemaker.stream,
        body: c.body as Json,
        switches: sw,
        account: '123456789012',
        region: auth.region,
      });
    }
    return true;
  }

  const cohere = cohereRoute(path);
  if (cohere) {
    const keyError = cohereKeyError(req.headers, c.apiKeys);
    if (keyError) {
      cohereError(res, 401, keyError);
      return true;
    }
    if (!isRecord(c.body)) {
      cohereError(res, 400, 'invalid request: the body is not valid JSON');
      return true;
    }
    const sw = await switchesFor(String(c.body.model ?? ''), c.flakyCounts);
    if (!sw) return true;
    if (sw.failStatus !== undefined) {
      cohereError(
        res,
        sw.failStatus,
        sw.failStatus === 429
          ? 'You are past the rate limit (mock fail-429).'
          : `Mock failure ${sw.failStatus}.`,
        sw.failStatus === 429 ? { 'retry-after': '0' } : {},
      );
      return true;
    }
    await handleCohere(res, cohere, c.body, sw);
    return true;
  }
  return false;
}
