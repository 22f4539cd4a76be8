// `warden audit verify`: checks every segment of the audit directory, in chain order, against the
// hash chain, the segment names, the head checkpoint (truncation at the end) and the retention
// records (removal at the start). Reads only; safe while an engine is appending.
import { readFile } from 'node:fs/promises';
import { ChainChecker, type BrokenRecord } from './chain-check.js';
import type { RetentionAnchor } from './retention-anchor.js';
import { findRetentionAnchor, readRetentionAnchor } from './retention-anchor.js';
import { listSegments, readHead, type HeadCheckpoint } from './segments.js';

export interface VerifyReport {
  ok: boolean;
  dir: string;
  checkedAt: string;
  durationMs: number;
  segments: number;
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  lastHash?: string;
  head?: HeadCheckpoint;
  firstBroken?: BrokenRecord;
  /** Facts that are not breaks: a torn tail awaiting repair, segments removed by retention. */
  notes: string[];
}

async function verifyOnce(dir: string): Promise<VerifyReport> {
  const started = performance.now();
  const notes: string[] = [];
  const checker = new ChainChecker();
  let head: HeadCheckpoint | undefined;
  try {
    head = await readHead(dir);
  } catch (error) {
    checker.fail({ code: 'AUDIT_HEAD_MISSING', segment: 'head.json', line: 1, offset: 0, message: (error as Error).message });
  }
  const segments = await listSegments(dir);
  const anchors: RetentionAnchor[] = [];
  let headFound = false;
  for (let s = 0; s < segments.length && checker.wantsMore; s += 1) {
    const segment = segments[s]!;
    const text = (await readFile(segment.path)).toString('utf8');
    let start = 0;
    let lineNo = 0;
    let bytes = 0;
    let firstInSegment = true;
    while (start < text.length) {
      const end = text.indexOf('\n', start);
      lineNo += 1;
      const place = { segment: segment.name, line: lineNo, offset: bytes };
      if (end < 0) {
        const partial = text.slice(start);
        if (s === segments.length - 1) {
          notes.push(`The last ${Buffer.byteLength(partial)} bytes of ${segment.name} are an incomplete record (a write in progress, or one cut by a crash; the engine removes a cut one when it next opens the log).`);
        } else {
          checker.fail({ ...place, code: 'AUDIT_TORN_RECORD', message: `The last line of ${segment.name} is incomplete, but later segments exist: the segment was cut.` });
        }
        break;
      }
      const line = text.slice(start, end);
      bytes += Buffer.byteLength(line) + 1;
      start = end + 1;
      if (!checker.feed(line, place)) {
        if (checker.wantsMore) continue;
        break;
      }
      if (firstInSegment) {
        firstInSegment = false;
        if (checker.lastSeq !== segment.firstSeq) {
          checker.fail({ ...place, code: 'AUDIT_SEGMENT_RENAMED', seq: checker.lastSeq, message: `Segment ${segment.name} is named for record ${segment.firstSeq} but starts with record ${checker.lastSeq}.` });
          break;
        }
      }
      if (head && checker.lastSeq === head.seq) headFound = checker.lastHash === head.hash;
      if (line.includes('"event":"audit.retention"')) {
        const anchor = readRetentionAnchor(line);
        if (anchor) anchors.push(anchor);
      }
    }
  }
  if (!checker.broken && segments.length > 0 && checker.firstSeq !== undefined) {
    if (checker.firstSeq > 1) {
      const anchor = findRetentionAnchor(anchors, checker.firstSeq, checker.firstPrev!);
      if (anchor) {
        notes.push(`Records 1..${checker.firstSeq - 1} were removed by retention (${anchor.removed.join(', ')}), as the log itself records.`);
      } else {
        checker.fail({ code: 'AUDIT_START_MISSING', segment: segments[0]!.name, line: 1, offset: 0, seq: checker.firstSeq, expectedSeq: 1, message: `The log starts at record ${checker.firstSeq}, and no retention record accounts for records 1..${checker.firstSeq - 1}: the start of the log was removed.` });
      }
    }
  }
  if (!checker.broken) {
    if (!head && checker.records > 0) {
      checker.fail({ code: 'AUDIT_HEAD_MISSING', segment: 'head.json', line: 1, offset: 0, message: 'The head checkpoint (head.json) is missing, so removal of records at the end of the log cannot be ruled out.' });
    } else if (head && head.seq > 0 && !headFound) {
      const last = segments[segments.length - 1];
      checker.fail({
        code: 'AUDIT_LOG_TRUNCATED',
        segment: last?.name ?? 'head.json',
        line: 0,
        offset: 0,
        seq: head.seq,
        expectedSeq: checker.lastSeq + 1,
        message: head.seq > checker.lastSeq
          ? `The log ends at record ${checker.lastSeq}, but record ${head.seq} was written (head checkpoint): records ${checker.lastSeq + 1}..${head.seq} or whole segments were removed from the end.`
          : `Record ${head.seq} differs from the one the head checkpoint vouches for: the end of the log was rewritten.`,
      });
    }
  }
  return {
    ok: !checker.broken,
    dir,
    checkedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    segments: segments.length,
    records: checker.records,
    ...(checker.firstSeq !== undefined ? { firstSeq: checker.firstSeq, lastSeq: checker.lastSeq, lastHash: checker.lastHash } : {}),
    ...(head ? { head } : {}),
    ...(checker.broken ? { firstBroken: checker.broken } : {}),
    notes,
  };
}

/** Verifies the audit directory. A segment removed by retention while reading makes it start over. */
export async function verifyAuditDir(dir: string): Promise<VerifyReport> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await verifyOnce(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}
