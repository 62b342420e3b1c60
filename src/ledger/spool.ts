/**
 * @module ledger/spool
 * The local, append-only queue between the request path and the database: segment files of
 * one JSON line per spend event (`seg-<seq>.jsonl`) in the spool folder. append() is one
 * synchronous write() to an open fd, so an acknowledged event is in the OS page cache and
 * survives the process being killed (kill -9, OOM, crash); it is not fsynced, so a power cut or
 * kernel crash can lose the last few seconds. The writer reads lines back in order, commits
 * them, and a segment is deleted only once every line in it has been committed. A segment of a
 * previous process is never appended to again, so a torn last line cannot corrupt a good one.
 * If the disk refuses a write, lines are held in memory (bounded) and written from there.
 */
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { DEAD_LETTER_FILE, type DeadLetter } from './dead-letters.js';
import { spendEventsDropped } from './metrics.js';

export interface SpoolOptions {
  dir: string;
  logger: Logger;
  /** Rotate the active segment past this size (default 16 MiB). */
  segmentMaxBytes?: number;
  /** Lines held in memory when the disk refuses writes (default 100,000); beyond, events are dropped. */
  maxMemoryEvents?: number;
}

interface Segment {
  seq: number;
  path: string;
  /** Bytes of complete lines: the readable limit. */
  size: number;
  /** Complete lines in the segment (known after count() for a previous process's segment). */
  lines: number;
  doneOffset: number;
  doneLines: number;
  /** No more appends (rotated, failed, or left by a previous process). */
  closed: boolean;
  fd: number | null;
  reader: FileHandle | null;
  /** Left by a previous process: may end in a torn line; lines unknown until count(). */
  old: boolean;
}

export interface SpoolRead {
  /** Complete lines (without '\n'), oldest first. */
  lines: string[];
  /** Torn tails of segments left by a previous process (no '\n'). */
  torn: string[];
  /** Bytes of the lines returned (UTF-8 for file lines, UTF-16 units for memory lines). */
  bytes: number;
  memTaken: number;
  advances: Array<{ seg: Segment; offset: number; lines: number }>;
}

/** A position in the spool: everything appended before it. */
export interface SpoolMark {
  seq: number;
  offset: number;
  mem: number;
}

const SEGMENT_RE = /^seg-(\d+)\.jsonl$/;
const READ_CHUNK = 1 << 20;
const REOPEN_DELAY_MS = 1000;

/**
 * Lines are encoded into this one buffer and written from it: one UTF-8 pass, no allocation and
 * no joined '\n' copy per event (writeSync of a string measures it, allocates and encodes it).
 * Shared by every spool: append is synchronous, so the buffer is never in use twice.
 */
const ENCODE_BUF = Buffer.allocUnsafe(64 * 1024);

/** Writes the line (plus '\n' if asked) with write(); a short write (disk nearly full) is completed. */
function writeLine(fd: number, line: string, addNewline: boolean): number {
  let buf: Buffer;
  let len: number;
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so this bound guarantees the whole line fits.
  if ((line.length + 1) * 3 <= ENCODE_BUF.length) {
    buf = ENCODE_BUF;
    len = buf.write(line, 0, 'utf8');
    if (addNewline) buf[len++] = 10;
  } else {
    buf = Buffer.from(addNewline ? `${line}\n` : line, 'utf8');
    len = buf.length;
  }
  let off = 0;
  while (off < len) off += writeSync(fd, buf, off, len - off);
  return len;
}

export class Spool {
  readonly dir: string;
  private readonly log: Logger;
  private readonly segmentMaxBytes: number;
  private readonly maxMemory: number;
  private segs: Segment[] = [];
  private active: Segment | null = null;
  private nextSeq = 1;
  private lastOpenFailure = 0;
  private mem: string[] = [];
  private memHead = 0;
  private memAdded = 0;
  private memDone = 0;
  private pendingCount = 0;
  private closed = false;
  private readonly lockPath: string;

  constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.log = opts.logger;
    this.segmentMaxBytes = opts.segmentMaxBytes ?? 16 * 1024 * 1024;
    this.maxMemory = opts.maxMemoryEvents ?? 100_000;
    this.lockPath = join(this.dir, 'ledger.lock');
  }

  /** Synchronous: lock the folder, adopt segments left by a previous process, open a new segment. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    this.lock();
    const found: Segment[] = [];
    for (const f of readdirSync(this.dir)) {
      const m = SEGMENT_RE.exec(f);
      if (!m) continue;
      const path = join(this.dir, f);
      const size = statSync(path).size;
      const seq = Number(m[1]);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      if (size === 0) unlinkSync(path);
      else found.push(this.segment(seq, path, size, true));
    }
    this.segs = found.sort((a, b) => a.seq - b.seq);
    this.openActive();
  }

  /** Events appended and not yet committed (previous-process segments count after count()). */
  pending(): number {
    return this.pendingCount;
  }

  /** Bytes in segments left by a previous process, not yet committed. */
  backlogBytes(): number {
    let n = 0;
    for (const s of this.segs) if (s.old) n += s.size - s.doneOffset;
    return n;
  }

  /** Counts the lines of previous-process segments (for pending()). Returns the number found. */
  async count(): Promise<number> {
    let total = 0;
    for (const seg of this.segs) {
      if (!seg.old || seg.lines > 0) continue;
      seg.reader ??= await open(seg.path, 'r');
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      let n = 0;
      for (let off = 0; off < seg.size; ) {
        const { bytesRead } = await seg.reader.read(buf, 0, Math.min(READ_CHUNK, seg.size - off), off);
        if (bytesRead === 0) break;
        for (let i = buf.indexOf(10, 0); i >= 0 && i < bytesRead; i = buf.indexOf(10, i + 1)) n++;
        off += bytesRead;
      }
      seg.lines = n;
      this.pendingCount += Math.max(0, n - seg.doneLines);
      total += n;
    }
    return total;
  }

  /**
   * Appends one line (must end with '\n'). Never throws: if the file write fails, the line is
   * kept in memory (and the broken segment is never appended to again).
   */
  append(line: string): void {
    this.put(line, false);
  }

  /** append() for a line given without its '\n' (the ledger's path: no joined copy of the line). */
  appendLine(line: string): void {
    this.put(line, true);
  }

  private put(line: string, addNewline: boolean): void {
    const seg = this.active ?? this.reopen();
    if (seg?.fd != null) {
      try {
        const len = writeLine(seg.fd, line, addNewline);
        seg.size += len;
        seg.lines++;
        this.pendingCount++;
        if (seg.size >= this.segmentMaxBytes) this.rotate();
        return;
      } catch (err) {
        // A partial line may now follow seg.size; reading stops at seg.size.
        this.log.error({ err, path: seg.path }, 'spend spool write failed; holding events in memory');
        this.retire(seg);
        this.lastOpenFailure = Date.now();
      }
    }
    if (this.mem.length - this.memHead >= this.maxMemory) {
      spendEventsDropped.inc();
      this.log.error('spend spool unavailable and memory fallback full: spend event dropped');
      return;
    }
    this.mem.push(addNewline ? `${line}\n` : line);
    this.memAdded++;
    this.pendingCount++;
  }

  /**
   * Reads up to max lines and about maxBytes after the committed position (memory fallback first,
   * then segments). At least one line is returned whatever its size; the byte bound stops before
   * the line that would cross it.
   */
  async read(max: number, maxBytes = Number.POSITIVE_INFINITY): Promise<SpoolRead> {
    const out: SpoolRead = { lines: [], torn: [], bytes: 0, memTaken: 0, advances: [] };
    const room = (len: number) =>
      out.lines.length < max && (out.lines.length === 0 || out.bytes + len <= maxBytes);
    const memAvail = this.mem.length - this.memHead;
    for (let i = 0; i < memAvail; i++) {
      const line = this.mem[this.memHead + i];
      if (!room(line.length)) return out;
      out.lines.push(line.slice(0, -1));
      out.bytes += line.length;
      out.memTaken++;
    }
    const full = () => out.lines.length >= max || (out.lines.length > 0 && out.bytes >= maxBytes);
    for (const seg of [...this.segs]) {
      if (full()) break;
      const limit = seg.size;
      let off = seg.doneOffset;
      if (off >= limit) continue;
      seg.reader ??= await open(seg.path, 'r');
      let n = 0;
      let chunk = READ_CHUNK;
      let stop = false;
      while (off < limit && !stop && !full()) {
        const len = Math.min(chunk, limit - off);
        const buf = Buffer.allocUnsafe(len);
        const { bytesRead } = await seg.reader.read(buf, 0, len, off);
        if (bytesRead === 0) {
          this.log.error({ path: seg.path }, 'spend spool segment shorter than expected; skipping its end');
          off = limit;
          break;
        }
        const view = buf.subarray(0, bytesRead);
        let pos = 0;
        while (out.lines.length < max) {
          const nl = view.indexOf(10, pos);
          if (nl < 0) break;
          if (!room(nl + 1 - pos)) {
            stop = true;
            break;
          }
          out.lines.push(view.toString('utf8', pos, nl));
          out.bytes += nl + 1 - pos;
          n++;
          pos = nl + 1;
        }
        if (pos === 0 && !stop && out.lines.length < max) {
          if (off + bytesRead >= limit) {
            out.torn.push(view.toString('utf8')); // a previous process died mid-write
            off = limit;
            break;
          }
          chunk *= 2; // a line longer than the chunk
          continue;
        }
        off += pos;
        chunk = READ_CHUNK;
      }
      out.advances.push({ seg, offset: off, lines: n });
      if (stop) break; // the next line waits for the next read: order is kept
    }
    return out;
  }

  /** Marks what read() returned as committed; deletes fully committed segments. */
  commit(r: SpoolRead): void {
    if (this.closed) return;
    this.memHead += r.memTaken;
    this.memDone += r.memTaken;
    this.pendingCount -= r.memTaken;
    if (this.memHead > 1024 && this.memHead * 2 > this.mem.length) {
      this.mem = this.mem.slice(this.memHead);
      this.memHead = 0;
    }
    for (const a of r.advances) {
      a.seg.doneOffset = a.offset;
      a.seg.doneLines += a.lines;
      this.pendingCount -= a.lines;
    }
    const act = this.active;
    // Caught up with the active segment: start a new one so this one can be deleted.
    if (act && act.size > 0 && act.doneOffset >= act.size) this.rotate();
    for (const seg of [...this.segs]) {
      if (!seg.closed || seg.doneOffset < seg.size) continue;
      this.pendingCount -= Math.max(0, seg.lines - seg.doneLines);
      this.segs.splice(this.segs.indexOf(seg), 1);
      seg.reader?.close().catch(() => {});
      seg.reader = null;
      try {
        unlinkSync(seg.path);
      } catch (err) {
        this.log.error({ err, path: seg.path }, 'could not delete committed spend spool segment');
      }
    }
  }

  mark(): SpoolMark {
    const seq = this.active?.seq ?? this.nextSeq - 1;
    const seg = this.segs.find((s) => s.seq === seq);
    return { seq, offset: seg?.size ?? 0, mem: this.memAdded };
  }

  /** True once everything appended before the mark has been committed. */
  reached(m: SpoolMark): boolean {
    if (this.memDone < m.mem) return false;
    for (const s of this.segs) {
      if (s.seq < m.seq && s.doneOffset < s.size) return false;
      if (s.seq === m.seq && s.doneOffset < m.offset) return false;
    }
    return true;
  }

  /** Keeps a line the database rejected (or that is not JSON) next to the spool, for an operator. */
  deadLetter(rec: DeadLetter): boolean {
    try {
      appendFileSync(join(this.dir, DEAD_LETTER_FILE), `${JSON.stringify(rec)}\n`);
      return true;
    } catch (err) {
      this.log.error({ err, reason: rec.reason }, 'could not write spend dead-letter file');
      return false;
    }
  }

  /** Closes files and releases the folder lock. Later appends open a fresh segment (replayed on next start). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.active) this.retire(this.active);
    for (const s of this.segs) {
      s.reader?.close().catch(() => {});
      s.reader = null;
    }
    try {
      if (readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockPath);
    } catch {
      // already gone
    }
  }

  private segment(seq: number, path: string, size: number, old: boolean): Segment {
    return {
      seq,
      path,
      size,
      lines: 0,
      doneOffset: 0,
      doneLines: 0,
      closed: old,
      fd: null,
      reader: null,
      old,
    };
  }

  private openActive(): Segment | null {
    const seq = this.nextSeq++;
    const path = join(this.dir, `seg-${String(seq).padStart(12, '0')}.jsonl`);
    try {
      const seg = this.segment(seq, path, 0, false);
      seg.fd = openSync(path, 'a');
      this.segs.push(seg);
      this.active = seg;
      return seg;
    } catch (err) {
      this.log.error({ err, path }, 'could not open spend spool segment');
      this.lastOpenFailure = Date.now();
      this.active = null;
      return null;
    }
  }

  private reopen(): Segment | null {
    if (!this.closed && Date.now() - this.lastOpenFailure < REOPEN_DELAY_MS) return null;
    return this.openActive();
  }

  private rotate(): void {
    if (this.active) this.retire(this.active);
    if (!this.closed) this.openActive();
  }

  private retire(seg: Segment): void {
    seg.closed = true;
    if (seg.fd != null) {
      try {
        closeSync(seg.fd);
      } catch {
        // nothing more to do
      }
      seg.fd = null;
    }
    if (this.active === seg) this.active = null;
    if (seg.size === 0 && seg.doneOffset === 0) {
      this.segs.splice(this.segs.indexOf(seg), 1);
      try {
        unlinkSync(seg.path);
      } catch {
        // best effort: an empty file is harmless
      }
    }
  }

  private lock(): void {
    try {
      writeFileSync(this.lockPath, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(readFileSync(this.lockPath, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) {
      throw new Error(
        `spend spool folder ${this.dir} is in use by process ${pid}; give each gateway process its own spool folder (or delete ${this.lockPath} if that process is not a Tollgate gateway)`,
      );
    }
    writeFileSync(this.lockPath, String(process.pid));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
