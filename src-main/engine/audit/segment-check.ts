// Checks one segment's bytes against the chain, fast: no JSON parsing, no copies, one sha256 per line
// over the line's own bytes. Pure (works on a Buffer it may scribble on); verify.ts stitches segments.
import { hash } from 'node:crypto';
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
  /** The hash of the record with seq `headSeq`, when this segment holds it. */
  headHash?: string;
  /** Every seq seen after a break, as [min, max], so a later gap can be told from a reordering. */
  seqRange?: [number, number];
}

const SEQ_PREFIX = Buffer.from('{"seq":');
const PREV_MARK = Buffer.from(',"prev":"');
const HASH_MARK = Buffer.from(',"hash":"');
const RETENTION = Buffer.from('"event":"audit.retention"');
const SUFFIX = HASH_MARK.length + 64 + 2;
const CLOSE = 0x7d; // }

function matches(buf: Buffer, at: number, mark: Buffer): boolean {
  return buf.compare(mark, 0, mark.length, at, at + mark.length) === 0;
}

export function checkSegment(buf: Buffer, name: string, headSeq: number): SegmentSummary {
  const summary: SegmentSummary = { name, records: 0, bytes: buf.length, tornBytes: 0, anchors: [] };
  let lastSeq = 0;
  let lastHashAt = -1; // offset of the previous line's hash hex in buf
  let line = 0;
  let start = 0;
  let min = Infinity;
  let max = -Infinity;
  const fail = (code: BreakCode, offset: number, message: string, seq?: number) => {
    summary.broken = { code, segment: name, line, offset, message, ...(seq !== undefined ? { seq } : {}), ...(summary.firstSeq !== undefined ? { expectedSeq: lastSeq + 1 } : {}) };
  };
  while (start < buf.length) {
    const end = buf.indexOf(10, start);
    if (end < 0) {
      summary.tornBytes = buf.length - start;
      break;
    }
    line += 1;
    const lineStart = start;
    start = end + 1;
    // Layout: {"seq":N,"prev":"<64>",...,"hash":"<64>"}
    let ok = end - lineStart > 150 && matches(buf, lineStart, SEQ_PREFIX);
    let seq = 0;
    let at = lineStart + SEQ_PREFIX.length;
    if (ok) {
      const digitsStart = at;
      while (at < end && buf[at]! >= 48 && buf[at]! <= 57 && at - digitsStart < 16) seq = seq * 10 + (buf[at++]! - 48);
      ok = at > digitsStart && buf[digitsStart] !== 48 && matches(buf, at, PREV_MARK);
    }
    const prevAt = at + PREV_MARK.length;
    const suffixAt = end - SUFFIX;
    ok = ok && buf[prevAt + 64] === 0x22 && matches(buf, suffixAt, HASH_MARK) && buf[end - 2] === 0x22 && buf[end - 1] === CLOSE;
    if (summary.broken) {
      // Only looking for the missing seqs of a gap now.
      if (ok) {
        min = Math.min(min, seq);
        max = Math.max(max, seq);
        if (summary.gap && seq >= summary.gap.from && seq <= summary.gap.to) {
          const b = summary.broken;
          summary.broken = { ...b, code: 'AUDIT_RECORDS_REORDERED', message: `Record ${b.seq} at ${b.segment}:${b.line} comes before record ${seq} (at ${name}:${line}): records were reordered.` };
          summary.gap = undefined;
        }
      }
      continue;
    }
    if (!ok) {
      fail('AUDIT_RECORD_MALFORMED', lineStart, `The line at ${name}:${line} is not an audit record (changed or damaged).`);
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
      fail('AUDIT_RECORD_EDITED', lineStart, `Record ${seq} at ${name}:${line} was changed after it was written (its hash does not match its content).`, seq);
      continue;
    }
    if (summary.firstSeq === undefined) {
      summary.firstSeq = seq;
      summary.firstPrev = buf.toString('latin1', prevAt, prevAt + 64);
    } else if (seq !== lastSeq + 1 || buf.compare(buf, lastHashAt, lastHashAt + 64, prevAt, prevAt + 64) !== 0) {
      if (seq > lastSeq + 1) {
        summary.gap = { from: lastSeq + 1, to: seq - 1 };
        fail('AUDIT_RECORDS_MISSING', lineStart, `Records ${lastSeq + 1}..${seq - 1} are missing before record ${seq} at ${name}:${line} (deleted).`, seq);
      } else if (seq <= lastSeq) {
        fail('AUDIT_RECORDS_REORDERED', lineStart, `Record ${seq} at ${name}:${line} comes after record ${lastSeq}: records were reordered or duplicated.`, seq);
      } else {
        fail('AUDIT_CHAIN_BROKEN', lineStart, `Record ${seq} at ${name}:${line} does not link to record ${lastSeq} (its prev hash differs): a record was replaced.`, seq);
      }
      continue;
    }
    // Only events carry a retention anchor. `type` sits at a fixed place after the 24-character ISO
    // time; decisions (d) and outcomes (o) are skipped without searching the line.
    const typeChar = buf[prevAt + 108];
    if (typeChar !== 0x64 && typeChar !== 0x6f && buf.subarray(lineStart, end).indexOf(RETENTION) !== -1) {
      const anchor = readRetentionAnchor(buf.toString('utf8', lineStart, end));
      if (anchor) summary.anchors.push(anchor);
    }
    if (seq === headSeq) summary.headHash = digest;
    summary.records += 1;
    lastSeq = seq;
    lastHashAt = hashAt;
  }
  if (summary.firstSeq !== undefined) {
    summary.lastSeq = lastSeq;
    summary.lastHash = buf.toString('latin1', lastHashAt, lastHashAt + 64);
  }
  if (min <= max) summary.seqRange = [min, max];
  return summary;
}
