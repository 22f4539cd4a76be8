// The hash chain: how a record becomes one line of the log, and how a line is checked. Pure.
//
// A line is the record's JSON with `seq` and `prev` first and `hash` last:
//   {"seq":7,"prev":"<64 hex>",...,"hash":"<64 hex>"}
// `hash` is the sha256 of the line's exact text without the `,"hash":"..."` member (the "body"), so
// the hash covers the bytes on disk (including `prev`), and checking a line needs no re-serialising.
import type { AuditRecord, UnsealedRecord } from './record.js';
import { sha256Hex } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);
const HASH_SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const SEQ_PREFIX = '{"seq":';
const PREV_MARK = ',"prev":"';

export interface SealedLine {
  seq: number;
  hash: string;
  /** The line without its trailing newline. */
  line: string;
}

/** Gives a record its place in the chain. */
export function sealRecord(record: UnsealedRecord, seq: number, prev: string): SealedLine {
  const rest = JSON.stringify(record);
  const body = `{"seq":${seq},"prev":"${prev}",${rest.slice(1)}`;
  const hash = sha256Hex(body);
  return { seq, hash, line: `${body.slice(0, -1)},"hash":"${hash}"}` };
}

export type LineProblem = 'malformed' | 'hash-mismatch';

export interface CheckedLine {
  seq: number;
  prev: string;
  hash: string;
  problem?: LineProblem;
}

/**
 * Reads a line's place in the chain and checks its hash, without parsing the whole JSON.
 * `malformed`: not a line the writer could have produced. `hash-mismatch`: the text was changed.
 */
export function checkLine(line: string): CheckedLine {
  const bad: CheckedLine = { seq: NaN, prev: '', hash: '', problem: 'malformed' };
  if (!line.startsWith(SEQ_PREFIX) || line.length < 100) return bad;
  const seqEnd = line.indexOf(PREV_MARK, SEQ_PREFIX.length);
  if (seqEnd < 0 || seqEnd > 24) return bad;
  const seqText = line.slice(SEQ_PREFIX.length, seqEnd);
  if (!/^[1-9][0-9]*$/.test(seqText)) return bad;
  const seq = Number(seqText);
  const prevStart = seqEnd + PREV_MARK.length;
  const prev = line.slice(prevStart, prevStart + 64);
  if (line.charCodeAt(prevStart + 64) !== 34 /* " */) return bad;
  const suffixStart = line.length - HASH_SUFFIX_LENGTH;
  if (!line.startsWith(',"hash":"', suffixStart) || !line.endsWith('"}')) return bad;
  const hash = line.slice(suffixStart + 9, suffixStart + 9 + 64);
  if (!/^[0-9a-f]{64}$/.test(hash) || !/^[0-9a-f]{64}$/.test(prev)) return bad;
  const actual = sha256Hex(`${line.slice(0, suffixStart)}}`);
  return actual === hash ? { seq, prev, hash } : { seq, prev, hash, problem: 'hash-mismatch' };
}

/** Parses a line into a record (for reading, not for checking the chain). */
export function parseLine(line: string): AuditRecord {
  return JSON.parse(line) as AuditRecord;
}
