/**
 * @module providers/sagemaker/sagemaker-stream
 * InvokeEndpointWithResponseStream answers are AWS event-stream frames whose `PayloadPart` events carry
 * the container's own stream bytes (TGI's SSE, LMI's JSON lines, or OpenAI chunks from a messages-API
 * container), split wherever the container flushed. This decoder unwraps the frames and feeds the
 * payload bytes to the inner decoder of the container's format; exception frames (ModelStreamError,
 * InternalStreamFailure) and a truncated or corrupt frame end the stream with a classified error.
 */
import type { GatewayError } from '../../errors.js';
import { awsStreamExceptionDetail } from '../aws/aws-error.js';
import { bodyText, createEventStreamReader, EventStreamFormatError } from '../aws/event-stream.js';
import { malformedStreamError, upstreamStreamError } from '../shared/upstream-error.js';
import type { CallInput, StreamDecoder, StreamOutcome } from '../types.js';

export function createPayloadPartDecoder(input: CallInput, inner: StreamDecoder): StreamDecoder {
  const reader = createEventStreamReader();
  let error: GatewayError | null = null;

  return {
    push(bytes) {
      if (error) return '';
      let out = '';
      try {
        for (const m of reader.push(bytes)) {
          if (m.messageType === 'exception') {
            const { detail, status } = awsStreamExceptionDetail(m.exceptionType, bodyText(m));
            error = upstreamStreamError(input, detail, status);
            break;
          }
          if (m.messageType === 'error') {
            error = upstreamStreamError(input, {
              message: `${m.errorCode ?? 'error'}: ${m.errorMessage ?? ''}`,
            });
            break;
          }
          if (m.eventType === 'PayloadPart' || m.eventType === undefined) out += inner.push(m.body);
        }
      } catch (err) {
        if (!(err instanceof EventStreamFormatError)) throw err;
        error = malformedStreamError(input, err.message);
      }
      return out;
    },
    end(): StreamOutcome {
      if (!error) {
        try {
          reader.end();
        } catch (err) {
          if (!(err instanceof EventStreamFormatError)) throw err;
          error = malformedStreamError(input, err.message);
        }
      }
      const outcome = inner.end();
      // A broken frame is the root cause of whatever the container format then lacks.
      return error ? { ...outcome, error } : outcome;
    },
    finalize: (final) => inner.finalize(final),
  };
}
