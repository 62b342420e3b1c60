/**
 * @module providers/shared/sse
 * Incremental Server-Sent Events parser: feed text split anywhere, get complete events back.
 * Also splits NDJSON (one JSON value per line) the same incremental way.
 */

export interface SseEvent {
  /** The `event:` field, or undefined for the default `message` event. */
  event: string | undefined;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

export interface SseParser {
  /** Feed more text; returns the events completed by it. */
  push(text: string): SseEvent[];
  /** End of stream: returns a last event that was not terminated by a blank line, if any. */
  end(): SseEvent[];
}

export function createSseParser(): SseParser {
  let buffer = '';
  let eventName: string | undefined;
  let data: string[] = [];

  const line = (raw: string, out: SseEvent[]): void => {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l === '') {
      if (data.length > 0) out.push({ event: eventName, data: data.join('\n') });
      eventName = undefined;
      data = [];
      return;
    }
    if (l.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventName = value;
  };

  return {
    push(text) {
      const out: SseEvent[] = [];
      buffer += text;
      let start = 0;
      for (let nl = buffer.indexOf('\n', start); nl !== -1; nl = buffer.indexOf('\n', start)) {
        line(buffer.slice(start, nl), out);
        start = nl + 1;
      }
      buffer = start === 0 ? buffer : buffer.slice(start);
      return out;
    },
    end() {
      const out: SseEvent[] = [];
      if (buffer !== '') line(buffer, out);
      buffer = '';
      line('', out);
      return out;
    },
  };
}

export interface LineSplitter {
  /** Complete non-empty lines in `text` (plus what was buffered). */
  push(text: string): string[];
  /** The unterminated last line, if any. */
  end(): string[];
}

/** NDJSON framing: one value per `\n`-terminated line; blank lines ignored. */
export function createLineSplitter(): LineSplitter {
  let buffer = '';
  return {
    push(text) {
      buffer += text;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      return parts.map((p) => p.trim()).filter((p) => p !== '');
    },
    end() {
      const last = buffer.trim();
      buffer = '';
      return last === '' ? [] : [last];
    },
  };
}

/** One SSE `data:` event as client-ready text. */
export function sseData(payload: string): string {
  return `data: ${payload}\n\n`;
}
