import { describe, expect, it } from 'vitest';
import { makeSpendEvent } from '../../test/support/ledger-events.js';
import { serializeSpendEvent, TRUNCATION_FLAG } from './event-serializer.js';
import { SpendEventError, toSpendRow } from './spend-row.js';
import { prepareLine, ROW_LINE_PREFIX, rowLineHead, spoolLineOf } from './spool-line.js';

const END = Date.UTC(2026, 11, 2, 6, 0, 0, 123);

describe('spool lines', () => {
  it('an event is spooled as its stored row, which the writer uses as is', () => {
    const e = makeSpendEvent({ requestId: 'r-1', spend: '0.000090', endTime: END, promptTokens: 8 });
    const line = spoolLineOf(e, { storePrompts: false });
    expect(line.startsWith(`${ROW_LINE_PREFIX}${END},"request_id":"r-1",`)).toBe(true);
    const row = JSON.parse(line);
    // The row's columns, coerced as the spend log stores them (spend in its shortest exact form).
    expect(row).toMatchObject({
      tg_end: END,
      request_id: 'r-1',
      spend: '0.00009',
      prompt_tokens: 8,
      end_time: '2026-12-02T06:00:00.123Z',
      messages: null,
    });
    const { tg_end: _, ...columns } = row;
    expect(columns).toEqual(JSON.parse(JSON.stringify(toSpendRow(e, { storePrompts: false }))));
    expect(prepareLine(line)).toEqual({ requestId: 'r-1', endMs: END, json: line, line });
  });

  it('a request id with quotes and backslashes is read back exactly', () => {
    const id = 'a"b\\c\u2028"';
    const line = spoolLineOf(makeSpendEvent({ requestId: id, endTime: END }), { storePrompts: false });
    expect(rowLineHead(line)).toEqual({ requestId: id, endMs: END });
  });

  it('prompts are kept only when stored prompts are on', () => {
    const e = makeSpendEvent({ messages: [{ role: 'user', content: 'hi' }], response: { id: 'x' } });
    expect(JSON.parse(spoolLineOf(e, { storePrompts: false })).messages).toBeNull();
    expect(JSON.parse(spoolLineOf(e, { storePrompts: true }))).toMatchObject({
      messages: [{ role: 'user', content: 'hi' }],
      response: { id: 'x' },
    });
  });

  it('metadata over the stored limits is cut and flagged in the row line too', () => {
    const e = makeSpendEvent({ metadata: { big: 'x'.repeat(200 * 1024) } });
    const row = JSON.parse(spoolLineOf(e, { storePrompts: false }));
    expect(row.metadata[TRUNCATION_FLAG]).toBeDefined();
    expect(row.metadata.big.length).toBeLessThan(200 * 1024);
    expect(row.spend).toBe(e.spend);
  });

  it('an event that cannot be a row is spooled as the event, and reading it back gives the reason', () => {
    const e = makeSpendEvent({ requestId: 'poison', spend: 'twelve dollars' });
    const line = spoolLineOf(e, { storePrompts: false });
    expect(JSON.parse(line).requestId).toBe('poison');
    expect(() => prepareLine(line)).toThrow(SpendEventError);
    expect(() => prepareLine(line)).toThrow(/spend is not a decimal number/);
    expect(() => prepareLine('{"no":"id"}')).toThrow(/no requestId/);
    expect(() => prepareLine('{"requestId":')).toThrow(/not JSON/);
  });

  it("an older version's event line is coerced to the same row as a row line", () => {
    const e = makeSpendEvent({ requestId: 'old-1', endTime: END, promptTokens: 7.6 as number });
    const old = prepareLine(serializeSpendEvent(e, { storePrompts: false }));
    const fresh = prepareLine(spoolLineOf(e, { storePrompts: false }));
    expect(old.requestId).toBe('old-1');
    expect(old.endMs).toBe(END);
    const { tg_end: _, ...columns } = JSON.parse(fresh.json);
    expect(JSON.parse(old.json)).toEqual(columns);
    expect(columns.prompt_tokens).toBe(8);
  });

  it('a damaged row line head is not taken for a row', () => {
    expect(rowLineHead(`${ROW_LINE_PREFIX}x,{"request_id":"a"}`)).toBeNull();
    expect(rowLineHead(`${ROW_LINE_PREFIX}1,"request_id":"unterminated`)).toBeNull();
    expect(rowLineHead(`${ROW_LINE_PREFIX}1,"request_id":"","x":1}`)).toBeNull();
  });
});
