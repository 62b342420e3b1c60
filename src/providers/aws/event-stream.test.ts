import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyText,
  createEventStreamReader,
  EventStreamFormatError,
  encodeEventStreamMessage,
} from './event-stream.js';

const frames = [
  encodeEventStreamMessage('{"role":"assistant","p":"abcd"}', {
    eventType: 'messageStart',
    contentType: 'application/json',
  }),
  encodeEventStreamMessage('{"contentBlockIndex":0,"delta":{"text":"Ça va? 👋"},"p":"ab"}', {
    eventType: 'contentBlockDelta',
  }),
  encodeEventStreamMessage('{"message":"Too many requests"}', {
    messageType: 'exception',
    exceptionType: 'throttlingException',
  }),
];
const all = Buffer.concat(frames);

function readAll(pieces: Uint8Array[]) {
  const r = createEventStreamReader();
  const out = pieces.flatMap((p) => r.push(p));
  r.end();
  return out.map((m) => ({ ...m, body: bodyText(m) }));
}

describe('event-stream reader', () => {
  it('decodes typed headers and payloads of each frame', () => {
    expect(readAll([all])).toEqual([
      { messageType: 'event', eventType: 'messageStart', body: '{"role":"assistant","p":"abcd"}' },
      {
        messageType: 'event',
        eventType: 'contentBlockDelta',
        body: '{"contentBlockIndex":0,"delta":{"text":"Ça va? 👋"},"p":"ab"}',
      },
      {
        messageType: 'exception',
        exceptionType: 'throttlingException',
        body: '{"message":"Too many requests"}',
      },
    ]);
  });

  it('gives the same frames however the bytes are split (prelude, headers, payload, CRC)', () => {
    const whole = readAll([all]);
    fc.assert(
      fc.property(fc.array(fc.nat(all.length), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces: Uint8Array[] = [];
        let prev = 0;
        for (const p of points) {
          pieces.push(all.subarray(prev, p));
          prev = p;
        }
        pieces.push(all.subarray(prev));
        expect(readAll(pieces)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('a frame cut off by the end of the stream is an error at end()', () => {
    const r = createEventStreamReader();
    expect(r.push(all.subarray(0, frames[0].length + 10))).toHaveLength(1);
    expect(() => r.end()).toThrow(EventStreamFormatError);
    expect(() => r.end()).not.toThrow(); // reported once
  });

  it('a corrupt checksum or an impossible length is an error', () => {
    const bad = Buffer.from(frames[1]);
    bad[bad.length - 6] ^= 0xff; // payload byte: the message CRC no longer matches
    expect(() => createEventStreamReader().push(bad)).toThrow(/failed to decode/);
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(0x7fffffff, 0);
    expect(() => createEventStreamReader().push(huge)).toThrow(/impossible length/);
  });
});
