// Checks one segment's bytes against the chain, fast: no JSON parsing, no copies, one sha256 per line
// over the line's own bytes. Pure (works on a Buffer it may scribble on); verify.ts stitches segments.
import { hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { BreakCode, BrokenRecord } from './chain-check.js';
import { readRetentionAnchor, type RetentionAnchor } from './retention-anchor.js';

export interface SegmentSummary {
  name: string;
  records: number;
  bytes: number;
  firstSeq?: number;
  firstPrev?: string;
  lastSeq?: number;
  lastHash?: string;
  /** The first break inside this segment (links between segments are judged by the caller). */
  broken?: BrokenRecord;
  /** After a gap inside this segment: whether a missing seq turned up later in it (then: reordered). */
  gap?: { from: number; to: number };
  /** Bytes after the last newline (an incomplete last line). */
  tornBytes: number;
  anchors: RetentionAnchor[];
  /**
   * Records in which the engine noted, at a start, that the end of the log had been removed while it
   * was stopped (audit.truncation-detected, audit.head-missing): the chain after them is whole again,
   * but what was removed stays removed.
   */
  alarms: { seq: number; line: number; offset: number; event: string }[];
  /** The hash of the record with seq `headSeq`, when this segment holds it. */
  headHash?: string;
  /** Every seq seen after a break, as [min, max], so a later gap can be told from a reordering. */
  seqRange?: [number, number];
}

const SEQ_PREFIX = Buffer.from('{"seq":');
const PREV_MARK = Buffer.from(',"prev":"');
const HASH_MARK = Buffer.from(',"hash":"');
const RETENTION = Buffer.from('"event":"audit.retention"');
const ALARMS = ['audit.truncation-detected', 'audit.head-missing'].map((event) => ({ event, mark: Buffer.from(`"event":"${event}"`) }));
const SUFFIX = HASH_MARK.length + 64 + 2;
const CLOSE = 0x7d; // }

function matches(buf: Buffer, at: number, mark: Buffer): boolean {
  return buf.compare(mark, 0, mark.length, at, at + mark.length) === 0;
}

/** Checks a segment fed in pieces of whole lines (so that a large file is read through one reused buffer). */
export class SegmentChecker {
  readonly summary: SegmentSummary;
  private lastSeq = 0;
  private readonly lastHash = Buffer.alloc(64);
  private line = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(
    private readonly name: string,
    private readonly headSeq: number,
  ) {
    this.summary = { name, records: 0, bytes: 0, tornBytes: 0, anchors: [], alarms: [] };
  }

  private fail(code: BreakCode, offset: number, message: string, seq?: number): void {
    const summary = this.summary;
    summary.broken = { code, segment: this.name, line: this.line, offset, message, ...(seq !== undefined ? { seq } : {}), ...(summary.firstSeq !== undefined ? { expectedSeq: this.lastSeq + 1 } : {}) };
  }

  /** Checks the complete lines in buf[0, end) (end is just after a newline); `base` is buf[0]'s offset in the segment. */
  feed(buf: Buffer, end: number, base: number): void {
    const summary = this.summary;
    const name = this.name;
    let start = 0;
    while (start < end) {
      const lineEnd = buf.indexOf(10, start);
      if (lineEnd < 0 || lineEnd >= end) break;
      this.line += 1;
      const line = this.line;
      const lineStart = start;
      start = lineEnd + 1;
      // Layout: {"seq":N,"prev":"<64>",...,"hash":"<64>"}
      let ok = lineEnd - lineStart > 150 && matches(buf, lineStart, SEQ_PREFIX);
      let seq = 0;
      let at = lineStart + SEQ_PREFIX.length;
      if (ok) {
        const digitsStart = at;
        while (at < lineEnd && buf[at]! >= 48 && buf[at]! <= 57 && at - digitsStart < 16) seq = seq * 10 + (buf[at++]! - 48);
        ok = at > digitsStart && buf[digitsStart] !== 48 && matches(buf, at, PREV_MARK);
      }
      const prevAt = at + PREV_MARK.length;
      const suffixAt = lineEnd - SUFFIX;
      ok = ok && buf[prevAt + 64] === 0x22 && matches(buf, suffixAt, HASH_MARK) && buf[lineEnd - 2] === 0x22 && buf[lineEnd - 1] === CLOSE;
      if (summary.broken) {
        // Only looking for the missing seqs of a gap now.
        if (ok) {
          this.min = Math.min(this.min, seq);
          this.max = Math.max(this.max, seq);
          if (summary.gap && seq >= summary.gap.from && seq <= summary.gap.to) {
            const b = summary.broken;
            summary.broken = { ...b, code: 'AUDIT_RECORDS_REORDERED', message: `Record ${b.seq} at ${b.segment}:${b.line} comes before record ${seq} (at ${name}:${line}): records were reordered.` };
            summary.gap = undefined;
          }
        }
        continue;
      }
      if (!ok) {
        this.fail('AUDIT_RECORD_MALFORMED', base + lineStart, `The line at ${name}:${line} is not an audit record (changed or damaged).`);
        continue;
      }
      const hashAt = suffixAt + HASH_MARK.length;
      const saved = buf[suffixAt]!;
      buf[suffixAt] = CLOSE;
      const digest = hash('sha256', buf.subarray(lineStart, suffixAt + 1), 'hex');
      buf[suffixAt] = saved;
      let same = true;
      for (let k = 0; k < 64; k += 1) {
        if (digest.charCodeAt(k) !== buf[hashAt + k]) {
          same = false;
          break;
        }
      }
      if (!same) {
        this.fail('AUDIT_RECORD_EDITED', base + lineStart, `Record ${seq} at ${name}:${line} was changed after it was written (its hash does not match its content).`, seq);
        continue;
      }
      const lastSeq = this.lastSeq;
      if (summary.firstSeq === undefined) {
        summary.firstSeq = seq;
        summary.firstPrev = buf.toString('latin1', prevAt, prevAt + 64);
      } else if (seq !== lastSeq + 1 || buf.compare(this.lastHash, 0, 64, prevAt, prevAt + 64) !== 0) {
        if (seq > lastSeq + 1) {
          summary.gap = { from: lastSeq + 1, to: seq - 1 };
          this.fail('AUDIT_RECORDS_MISSING', base + lineStart, `Records ${lastSeq + 1}..${seq - 1} are missing before record ${seq} at ${name}:${line} (deleted).`, seq);
        } else if (seq <= lastSeq) {
          this.fail('AUDIT_RECORDS_REORDERED', base + lineStart, `Record ${seq} at ${name}:${line} comes after record ${lastSeq}: records were reordered or duplicated.`, seq);
        } else {
          this.fail('AUDIT_CHAIN_BROKEN', base + lineStart, `Record ${seq} at ${name}:${line} does not link to record ${lastSeq} (its prev hash differs): a record was replaced.`, seq);
        }
        continue;
      }
      // Only events carry a retention anchor. `type` sits at a fixed place after the 24-character ISO
      // time; decisions (d) and outcomes (o) are skipped without searching the line.
      const typeChar = buf[prevAt + 108];
      if (typeChar !== 0x64 && typeChar !== 0x6f) {
        const text = buf.subarray(lineStart, lineEnd);
        if (text.indexOf(RETENTION) !== -1) {
          const anchor = readRetentionAnchor(buf.toString('utf8', lineStart, lineEnd));
          if (anchor) summary.anchors.push(anchor);
        }
        for (const { event, mark } of ALARMS) if (text.indexOf(mark) !== -1) summary.alarms.push({ seq, line: this.line, offset: base + lineStart, event });
      }
      if (seq === this.headSeq) summary.headHash = digest;
      summary.records += 1;
      this.lastSeq = seq;
      buf.copy(this.lastHash, 0, hashAt, hashAt + 64);
    }
  }

  /** Ends the segment: `bytes` in all, of which `tornBytes` after the last newline. */
  finish(bytes: number, tornBytes: number): SegmentSummary {
    const summary = this.summary;
    summary.bytes = bytes;
    summary.tornBytes = tornBytes;
    if (summary.firstSeq !== undefined) {
      summary.lastSeq = this.lastSeq;
      summary.lastHash = this.lastHash.toString('latin1');
    }
    if (this.min <= this.max) summary.seqRange = [this.min, this.max];
    return summary;
  }
}

/** Checks a whole segment held in memory. */
export function checkSegment(buf: Buffer, name: string, headSeq: number): SegmentSummary {
  const checker = new SegmentChecker(name, headSeq);
  const end = buf.lastIndexOf(10) + 1;
  checker.feed(buf, end, 0);
  return checker.finish(buf.length, buf.length - end);
}

/** Checks a segment file through `buffer` (reused between files; grown for a line longer than it). */
export async function checkSegmentFile(path: string, name: string, headSeq: number, buffer: { buf: Buffer }): Promise<SegmentSummary> {
  const handle = await open(path, 'r');
  try {
    const checker = new SegmentChecker(name, headSeq);
    let filled = 0;
    let base = 0;
    for (;;) {
      if (filled === buffer.buf.length) {
        const bigger = Buffer.allocUnsafe(buffer.buf.length * 2);
        buffer.buf.copy(bigger, 0, 0, filled);
        buffer.buf = bigger;
      }
      const buf = buffer.buf;
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, base + filled);
      const end = filled + bytesRead;
      if (bytesRead === 0) return checker.finish(base + end, end);
      const cut = buf.lastIndexOf(10, end - 1) + 1;
      if (cut === 0) {
        filled = end;
        continue;
      }
      checker.feed(buf, cut, base);
      buf.copyWithin(0, cut, end);
      base += cut;
      filled = end - cut;
    }
  } finally {
    await handle.close();
  }
}
