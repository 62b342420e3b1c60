import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.js';

const log = pino({ level: 'silent' });
const segments = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('seg-'));

describe('Spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-spool-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads appended lines back in order, in batches, and deletes a segment only once all of it is committed', async () => {
    const s = new Spool({ dir, logger: log });
    s.open();
    for (let i = 0; i < 10; i++) s.append(`{"n":${i},"s":"ünï"}\n`);
    expect(s.pending()).toBe(10);
    const first = await s.read(4);
    expect(first.lines).toEqual([0, 1, 2, 3].map((n) => `{"n":${n},"s":"ünï"}`));
    s.commit(first);
    expect(s.pending()).toBe(6);
    expect(segments(dir)).toHaveLength(1); // not all committed yet: kept
    const rest = await s.read(100);
    expect(rest.lines.map((l) => JSON.parse(l).n)).toEqual([4, 5, 6, 7, 8, 9]);
    s.append('{"n":10}\n'); // appended while the batch was in flight
    s.commit(rest);
    expect(s.pending()).toBe(1);
    const last = await s.read(100);
    expect(last.lines).toEqual(['{"n":10}']);
    s.commit(last);
    expect(s.pending()).toBe(0);
    // Caught up: the written segment was rotated out and deleted; only the new empty one remains.
    expect(segments(dir)).toHaveLength(1);
    expect(readFileSync(join(dir, segments(dir)[0]), 'utf8')).toBe('');
    s.close();
  });

  it('rotates by size and tracks flush marks across segments', async () => {
    const s = new Spool({ dir, logger: log, segmentMaxBytes: 64 });
    s.open();
    for (let i = 0; i < 20; i++) s.append(`{"requestId":"r${String(i).padStart(3, '0')}"}\n`);
    expect(segments(dir).length).toBeGreaterThan(3);
    const mark = s.mark();
    s.append('{"requestId":"after"}\n');
    expect(s.reached(mark)).toBe(false);
    let seen: string[] = [];
    while (!s.reached(mark)) {
      const r = await s.read(3);
      seen = seen.concat(r.lines);
      s.commit(r);
    }
    expect(seen.slice(0, 20)).toEqual(
      Array.from({ length: 20 }, (_, i) => `{"requestId":"r${String(i).padStart(3, '0')}"}`),
    );
    s.close();
  });

  it('adopts segments left by a previous process, including a torn last line, and never appends to them', async () => {
    writeFileSync(join(dir, 'seg-000000000007.jsonl'), '{"a":1}\n{"a":2}\n{"a":');
    writeFileSync(join(dir, 'seg-000000000003.jsonl'), '{"a":0}\n');
    writeFileSync(join(dir, 'seg-000000000009.jsonl'), '');
    const s = new Spool({ dir, logger: log });
    s.open();
    expect(await s.count()).toBe(3);
    s.append('{"a":3}\n');
    expect(s.pending()).toBe(4);
    const r = await s.read(100);
    expect(r.lines).toEqual(['{"a":0}', '{"a":1}', '{"a":2}', '{"a":3}']);
    expect(r.torn).toEqual(['{"a":']);
    s.commit(r);
    expect(s.pending()).toBe(0);
    expect(segments(dir).every((f) => Number(f.slice(4, 16)) > 9)).toBe(true);
    s.close();
  });

  it('bounds a read by bytes as well as count, keeps order across segments, always returns one line', async () => {
    const s = new Spool({ dir, logger: log, segmentMaxBytes: 2500 });
    s.open();
    const line = (n: number, size: number) => `{"n":${n},"p":"${'x'.repeat(size)}"}`;
    // 1000-byte-ish lines, then one of 5000 bytes (bigger than the byte bound), then small ones.
    const sizes = [1000, 1000, 1000, 1000, 5000, 10, 10];
    for (const [n, size] of sizes.entries()) s.append(`${line(n, size)}\n`);
    const seen: number[][] = [];
    for (;;) {
      const r = await s.read(100, 2100);
      if (r.lines.length === 0) break;
      seen.push(r.lines.map((l) => JSON.parse(l).n));
      expect(r.bytes).toBe(r.lines.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0));
      s.commit(r);
    }
    expect(seen).toEqual([[0, 1], [2, 3], [4], [5, 6]]);
    expect(s.pending()).toBe(0);
    s.close();
  });

  it('reads a line longer than the read chunk', async () => {
    const s = new Spool({ dir, logger: log });
    s.open();
    const big = JSON.stringify({ requestId: 'big', messages: 'x'.repeat(3 * 1024 * 1024) });
    s.append(`${big}\n`);
    s.append('{"requestId":"small"}\n');
    const r = await s.read(10);
    expect(r.lines).toEqual([big, '{"requestId":"small"}']);
    s.close();
  });

  it('appendLine writes the line and its newline exactly, whatever its size or characters', async () => {
    const s = new Spool({ dir, logger: log });
    s.open();
    // Lengths (UTF-16 units) either side of the encode buffer's bound, (length + 1) × 3 ≤ 64 KiB,
    // in 3-byte UTF-8 text (the worst case per unit); 30,000 units of it (90 KB, more bytes than the
    // buffer holds in fewer units than it has bytes); mixed 2- and 4-byte text far over the bound.
    const lineOf = (i: number, units: number, text = '€') => {
      const head = `{"requestId":"r${i}","s":"`;
      const body = text.repeat(Math.floor((units - head.length - 2) / text.length));
      return `${head}${body}${'a'.repeat(units - head.length - 2 - body.length)}"}`;
    };
    const lines = [21_843, 21_844, 21_845, 30_000].map((n, i) => lineOf(i, n));
    lines.push(lineOf(4, 70_000, 'ü𝄞'));
    expect(lines.map((l) => l.length)).toEqual([21_843, 21_844, 21_845, 30_000, 70_000]);
    lines.push('{"requestId":"plain"}');
    for (const l of lines) s.appendLine(l);
    s.append('{"requestId":"appended"}\n');
    const expected = [...lines, '{"requestId":"appended"}'];
    expect(readFileSync(join(dir, segments(dir)[0]), 'utf8')).toBe(expected.map((l) => `${l}\n`).join(''));
    expect((await s.read(100)).lines).toEqual(expected);
    s.close();
  });

  it('appendLine keeps the line in memory, newline and all, when the segment cannot be written', async () => {
    const s = new Spool({ dir, logger: log });
    s.open();
    const active = (s as unknown as { active: { fd: number } }).active;
    const { closeSync } = await import('node:fs');
    closeSync(active.fd);
    s.appendLine('{"n":"ü"}');
    expect(s.pending()).toBe(1);
    expect((await s.read(10)).lines).toEqual(['{"n":"ü"}']);
    s.close();
  });

  it('refuses a folder locked by another live process, takes over a stale lock', () => {
    writeFileSync(join(dir, 'ledger.lock'), String(process.ppid));
    expect(() => new Spool({ dir, logger: log }).open()).toThrow(/in use by process/);
    writeFileSync(join(dir, 'ledger.lock'), '999999999');
    const s = new Spool({ dir, logger: log });
    s.open();
    expect(readFileSync(join(dir, 'ledger.lock'), 'utf8')).toBe(String(process.pid));
    s.close();
    expect(readdirSync(dir)).not.toContain('ledger.lock');
  });

  it('keeps events in memory when the segment file cannot be written, and writes them back first', async () => {
    const s = new Spool({ dir, logger: log });
    s.open();
    s.append('{"n":1}\n');
    // Break the active segment's fd behind the spool's back: the next write fails (EBADF).
    const active = (s as unknown as { active: { fd: number } }).active;
    const { closeSync } = await import('node:fs');
    closeSync(active.fd);
    s.append('{"n":2}\n');
    s.append('{"n":3}\n');
    expect(s.pending()).toBe(3);
    const r = await s.read(10);
    expect(r.lines.sort()).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    s.commit(r);
    expect(s.pending()).toBe(0);
    s.close();
  });

  it('writes dead letters next to the spool', () => {
    const s = new Spool({ dir, logger: log });
    s.open();
    s.deadLetter({ id: 'd1', at: '2025-01-01T00:00:00.000Z', reason: 'because', line: '{"bad":true}' });
    const rows = readFileSync(join(dir, 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { id: 'd1', at: '2025-01-01T00:00:00.000Z', reason: 'because', line: '{"bad":true}' },
    ]);
    s.close();
  });
});
