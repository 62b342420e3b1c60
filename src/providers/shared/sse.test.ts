import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineSplitter, createSseParser } from './sse.js';

function parseAll(pieces: string[]) {
  const p = createSseParser();
  const events = pieces.flatMap((x) => p.push(x));
  return [...events, ...p.end()];
}

describe('createSseParser', () => {
  it('parses events with names, multi-line data, comments and CRLF', () => {
    const text =
      ': keep-alive\n\nevent: ping\ndata: {"type":"ping"}\n\ndata: a\r\ndata: b\r\n\r\ndata:no-space\n\n';
    expect(parseAll([text])).toEqual([
      { event: 'ping', data: '{"type":"ping"}' },
      { event: undefined, data: 'a\nb' },
      { event: undefined, data: 'no-space' },
    ]);
  });

  it('returns an unterminated last event at end()', () => {
    expect(parseAll(['data: [DONE]'])).toEqual([{ event: undefined, data: '[DONE]' }]);
  });

  it('gives the same events however the text is split', () => {
    const text = 'event: a\ndata: {"x":"é😊"}\n\ndata: 2\r\n\r\n: c\n\nevent: b\ndata: 3\n\n';
    const whole = parseAll([text]);
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((x, y) => x - y);
        const pieces: string[] = [];
        let prev = 0;
        for (const c of points) {
          pieces.push(text.slice(prev, c));
          prev = c;
        }
        pieces.push(text.slice(prev));
        expect(parseAll(pieces)).toEqual(whole);
      }),
    );
  });
});

describe('createLineSplitter', () => {
  it('splits NDJSON lines across pushes and skips blanks', () => {
    const s = createLineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}\n\n{"c":3}')).toEqual(['{"b":2}']);
    expect(s.end()).toEqual(['{"c":3}']);
  });
});
