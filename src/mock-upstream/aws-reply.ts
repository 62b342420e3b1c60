/**
 * @module mock-upstream/aws-reply
 * How the mock answers as an AWS JSON-protocol service: errors with `x-amzn-errortype` and
 * `{"message"}` (`{"Message"}` for SageMaker), and streams of real event-stream frames (encoded with
 * the same codec the gateway decodes with), optionally cut off mid-frame or mid-connection.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type EncodeOptions, encodeEventStreamMessage } from '../providers/aws/event-stream.js';
import { sleep } from './http-util.js';

const ERROR_NAMESPACE: Record<string, string> = {
  bedrock: 'http://internal.amazon.com/coral/com.amazon.bedrock/',
  sagemaker: 'http://internal.amazon.com/coral/com.amazon.sagemaker/',
};

export function sendAwsError(
  res: ServerResponse,
  service: 'bedrock' | 'sagemaker',
  status: number,
  type: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify(service === 'sagemaker' ? { ErrorCode: type, Message: message } : { message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': `${type}:${ERROR_NAMESPACE[service]}`,
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(body);
}

/** AWS error type for a mock `fail-<status>` switch. */
export function awsErrorTypeFor(
  status: number,
  service: 'bedrock' | 'sagemaker',
): { type: string; message: string } {
  switch (status) {
    case 429:
      return { type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' };
    case 503:
      return { type: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' };
    case 400:
      return { type: 'ValidationException', message: 'Invalid request (mock fail-400).' };
    case 403:
      return {
        type: 'AccessDeniedException',
        message: "You don't have access to the model with the specified model ID.",
      };
    case 404:
      return {
        type: 'ResourceNotFoundException',
        message: 'Could not resolve the foundation model from the provided model identifier.',
      };
    default:
      return service === 'sagemaker'
        ? { type: 'InternalFailure', message: 'An internal error occurred (mock).' }
        : { type: 'InternalServerException', message: 'The server encountered an internal error (mock).' };
  }
}

export interface FramePlan {
  body: string | Uint8Array;
  opts: EncodeOptions;
}

export interface EventStreamPlan {
  frames: FramePlan[];
  delayMs: number;
  /** Destroy the connection after this many frames. */
  cutAfter?: number;
  /** After the frames, send the first half of one more frame and end the response normally. */
  truncateLast?: boolean;
}

export async function sendEventStream(res: ServerResponse, plan: EventStreamPlan): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': randomUUID(),
  });
  const frames = plan.frames.map((f) => encodeEventStreamMessage(f.body, f.opts));
  const last = plan.truncateLast ? frames.pop() : undefined;
  for (let i = 0; i < frames.length; i++) {
    if (res.destroyed) return;
    if (plan.cutAfter !== undefined && i >= plan.cutAfter) {
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    if (i > 0 && plan.delayMs > 0) await sleep(plan.delayMs);
    await new Promise<void>((resolve) => res.write(frames[i], () => resolve()));
  }
  if (last) res.write(last.subarray(0, Math.floor(last.length / 2)));
  res.end();
}

/** Bedrock pads event payloads with a `p` field (so sizes do not reveal token lengths). */
export function padded(payload: Record<string, unknown>): string {
  const n = 8 + (JSON.stringify(payload).length % 23);
  return JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, n) });
}
