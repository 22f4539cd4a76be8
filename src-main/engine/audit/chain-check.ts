// Walks lines in chain order and finds the first one that breaks the chain. Pure: the caller feeds
// lines (from segments on disk, or from an exported slice).
import { checkLine } from './chain.js';

export type BreakCode =
  | 'AUDIT_RECORD_MALFORMED'
  | 'AUDIT_RECORD_EDITED'
  | 'AUDIT_RECORDS_MISSING'
  | 'AUDIT_RECORDS_REORDERED'
  | 'AUDIT_CHAIN_BROKEN'
  | 'AUDIT_SEGMENT_RENAMED'
  | 'AUDIT_TORN_RECORD'
  | 'AUDIT_LOG_TRUNCATED'
  | 'AUDIT_HEAD_MISSING'
  | 'AUDIT_START_MISSING';

export interface LinePlace {
  /** Segment (or file) name. */
  segment: string;
  /** 1-based line number in that segment. */
  line: number;
  /** Byte offset of the line in that segment. */
  offset: number;
}

export interface BrokenRecord extends LinePlace {
  code: BreakCode;
  /** The seq of the offending record, when it could be read. */
  seq?: number;
  /** The seq the chain expected at this place. */
  expectedSeq?: number;
  message: string;
}

export class ChainChecker {
  records = 0;
  firstSeq: number | undefined;
  firstPrev: string | undefined;
  lastSeq = 0;
  lastHash = '';
  broken: BrokenRecord | undefined;
  /** After a gap: the missing seqs, in case they turn up later (then the records were reordered). */
  private gap: { from: number; to: number } | undefined;

  /**
   * Feeds the next line; returns false once the chain is broken. After a gap the caller may keep
   * feeding: a missing record that turns up later turns "missing" into "reordered".
   */
  feed(line: string, place: LinePlace): boolean {
    if (this.broken) {
      if (this.gap) {
        const match = /^\{"seq":(\d+),/.exec(line);
        const seq = match ? Number(match[1]) : NaN;
        if (seq >= this.gap.from && seq <= this.gap.to) {
          const b = this.broken;
          this.gap = undefined;
          this.broken = { ...b, code: 'AUDIT_RECORDS_REORDERED', message: `Record ${b.seq} at ${b.segment}:${b.line} comes before record ${seq} (at ${place.segment}:${place.line}): records were reordered.` };
        }
      }
      return false;
    }
    const checked = checkLine(line);
    const expectedSeq = this.firstSeq === undefined ? undefined : this.lastSeq + 1;
    if (checked.problem === 'malformed') {
      return this.fail({ ...place, code: 'AUDIT_RECORD_MALFORMED', expectedSeq, message: `The line at ${place.segment}:${place.line} is not an audit record (changed or damaged).` });
    }
    const { seq, prev, hash } = checked;
    if (checked.problem === 'hash-mismatch') {
      return this.fail({ ...place, code: 'AUDIT_RECORD_EDITED', seq, expectedSeq, message: `Record ${seq} at ${place.segment}:${place.line} was changed after it was written (its hash does not match its content).` });
    }
    if (this.firstSeq === undefined) {
      this.firstSeq = seq;
      this.firstPrev = prev;
    } else if (prev !== this.lastHash || seq !== this.lastSeq + 1) {
      if (seq > this.lastSeq + 1) {
        this.gap = { from: this.lastSeq + 1, to: seq - 1 };
        return this.fail({ ...place, code: 'AUDIT_RECORDS_MISSING', seq, expectedSeq, message: `Records ${this.lastSeq + 1}..${seq - 1} are missing before record ${seq} at ${place.segment}:${place.line} (deleted).` });
      }
      if (seq <= this.lastSeq) {
        return this.fail({ ...place, code: 'AUDIT_RECORDS_REORDERED', seq, expectedSeq, message: `Record ${seq} at ${place.segment}:${place.line} comes after record ${this.lastSeq}: records were reordered or duplicated.` });
      }
      return this.fail({ ...place, code: 'AUDIT_CHAIN_BROKEN', seq, expectedSeq, message: `Record ${seq} at ${place.segment}:${place.line} does not link to record ${this.lastSeq} (its prev hash differs): a record was replaced.` });
    }
    this.records += 1;
    this.lastSeq = seq;
    this.lastHash = hash;
    return true;
  }

  /** Whether feeding more lines could still change the verdict. */
  get wantsMore(): boolean {
    return !this.broken || this.gap !== undefined;
  }

  fail(broken: BrokenRecord): false {
    this.broken ??= broken;
    return false;
  }
}
