/**
 * @module providers/aws/event-stream
 * Incremental reader of the AWS event-stream binary framing (`application/vnd.amazon.eventstream`, used by
 * Bedrock ConverseStream / InvokeModelWithResponseStream and SageMaker InvokeEndpointWithResponseStream),
 * fed bytes split anywhere. Each frame starts with its total length (big-endian uint32); complete frames
 * are decoded by @smithy/core's EventStreamCodec, which checks both CRC32 checksums and parses the typed
 * headers. A frame cut off by the end of the stream, a bad checksum or an absurd length is an
 * EventStreamFormatError. `encodeEventStreamMessage` builds frames (the mock upstream's side).
 */
import type { EventStreamCodec } from '@smithy/core/event-streams';
import { smithyEventStreams, smithySerde } from '../../lazy-modules.js';

/** One decoded frame, with the headers AWS uses named. */
export interface EventStreamMessage {
  /** `:message-type`: `event`, `exception` or `error`. */
  messageType: string;
  /** `:event-type` of events (e.g. `contentBlockDelta`, `PayloadPart`). */
  eventType?: string;
  /** `:exception-type` of exceptions (e.g. `throttlingException`, `ModelStreamError`). */
  exceptionType?: string;
  /** `:error-code` / `:error-message` of protocol errors. */
  errorCode?: string;
  errorMessage?: string;
  body: Uint8Array;
}

export class EventStreamFormatError extends Error {
  override readonly name = 'EventStreamFormatError';
}

/** No AWS event-stream message is anywhere near this (Bedrock caps payloads well below). */
const MAX_FRAME_BYTES = 24 * 1024 * 1024;
const MIN_FRAME_BYTES = 16;

let sharedCodec: EventStreamCodec | undefined;
/** Made on the first AWS stream (lazy-modules says why). */
function codec(): EventStreamCodec {
  if (!sharedCodec) {
    const { toUtf8, fromUtf8 } = smithySerde();
    sharedCodec = new (smithyEventStreams().EventStreamCodec)(toUtf8, fromUtf8);
  }
  return sharedCodec;
}

function header(headers: Record<string, { type: string; value: unknown }>, name: string): string | undefined {
  const h = headers[name];
  return h && typeof h.value === 'string' ? h.value : undefined;
}

function toMessage(frame: Uint8Array): EventStreamMessage {
  let decoded: ReturnType<EventStreamCodec['decode']>;
  try {
    decoded = codec().decode(frame);
  } catch (err) {
    throw new EventStreamFormatError(`an event-stream frame failed to decode (${(err as Error).message})`);
  }
  const h = decoded.headers as Record<string, { type: string; value: unknown }>;
  return {
    messageType: header(h, ':message-type') ?? 'event',
    eventType: header(h, ':event-type'),
    exceptionType: header(h, ':exception-type'),
    errorCode: header(h, ':error-code'),
    errorMessage: header(h, ':error-message'),
    body: decoded.body,
  };
}

export interface EventStreamReader {
  /** Frames completed by these bytes. Throws EventStreamFormatError. */
  push(chunk: Uint8Array): EventStreamMessage[];
  /** End of the byte stream: throws EventStreamFormatError when a frame was cut off. */
  end(): void;
}

export function createEventStreamReader(): EventStreamReader {
  let pending: Uint8Array = new Uint8Array(0);

  const append = (chunk: Uint8Array): Uint8Array => {
    if (pending.length === 0) return chunk;
    const joined = new Uint8Array(pending.length + chunk.length);
    joined.set(pending, 0);
    joined.set(chunk, pending.length);
    return joined;
  };

  return {
    push(chunk) {
      const buf = append(chunk);
      const out: EventStreamMessage[] = [];
      let offset = 0;
      while (buf.length - offset >= 4) {
        const view = new DataView(buf.buffer, buf.byteOffset + offset, 4);
        const total = view.getUint32(0, false);
        if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES) {
          throw new EventStreamFormatError(
            `an event-stream frame announced an impossible length (${total} bytes)`,
          );
        }
        if (buf.length - offset < total) break;
        out.push(toMessage(buf.subarray(offset, offset + total)));
        offset += total;
      }
      // Keep only the unfinished tail (copied, so the caller's chunk can be reused).
      pending = offset === buf.length ? new Uint8Array(0) : buf.slice(offset);
      return out;
    },
    end() {
      if (pending.length > 0) {
        const n = pending.length;
        pending = new Uint8Array(0);
        throw new EventStreamFormatError(
          `a truncated event-stream frame (${n} bytes of an unfinished frame)`,
        );
      }
    },
  };
}

/** The UTF-8 text of a frame body (JSON for Bedrock events and exceptions). */
export function bodyText(m: EventStreamMessage): string {
  return smithySerde().toUtf8(m.body);
}

export interface EncodeOptions {
  messageType?: 'event' | 'exception' | 'error';
  eventType?: string;
  exceptionType?: string;
  contentType?: string;
}

/** One event-stream frame (headers as AWS sends them) around `body`. */
export function encodeEventStreamMessage(body: string | Uint8Array, o: EncodeOptions): Uint8Array {
  const headers: Record<string, { type: 'string'; value: string }> = {
    ':message-type': { type: 'string', value: o.messageType ?? 'event' },
  };
  if (o.eventType) headers[':event-type'] = { type: 'string', value: o.eventType };
  if (o.exceptionType) headers[':exception-type'] = { type: 'string', value: o.exceptionType };
  if (o.contentType) headers[':content-type'] = { type: 'string', value: o.contentType };
  return codec().encode({ headers, body: typeof body === 'string' ? smithySerde().fromUtf8(body) : body });
}
