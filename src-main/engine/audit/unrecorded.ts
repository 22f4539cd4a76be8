// Calls let through whose outcome never reached the log. Every decided call gets an outcome record
// once it ends, but only a running Warden can write it: after a kill -9, a crash or a power cut, the
// calls that were still running (or whose outcome waited the few milliseconds before its write) have a
// decision and nothing more. When the log is opened again nobody can write those outcomes any longer
// (one engine at a time holds the log), so the gap is put on record instead of staying silent.
import type { AuditRecord } from './record.js';
import { EFFECT_CODE, TYPE_CODE, type SegmentIndex } from './segment-index.js';

export const UNRECORDED_EVENT = 'audit.outcomes-unrecorded';
/** Calls named one by one in the note; the rest are counted. */
export const MAX_LISTED = 100;

export interface UnrecordedCall {
  seq: number;
  time: string;
  callId: string;
  server: string;
  tool: string;
}

/** A row of one of the segments passed to unrecordedRows. */
export interface SegmentRow {
  segment: number;
  row: number;
}

/**
 * The allowed calls with no outcome in the given segments (oldest first: the active one and the one
 * before it, as a call's outcome may land in the segment after its decision), after the last note of
 * this kind (those before it were reported when the log was last opened). A call is matched to its
 * outcome by the index's call-id hash.
 */
export function unrecordedRows(segments: readonly SegmentIndex[]): SegmentRow[] {
  let start: SegmentRow = { segment: 0, row: 0 };
  found: for (let s = segments.length - 1; s >= 0; s -= 1) {
    const index = segments[s]!;
    const note = index.dicts.event.lookup(UNRECORDED_EVENT);
    for (let i = index.count - 1; note >= 0 && i >= 0; i -= 1) {
      if (index.types[i] === TYPE_CODE.event && index.events[i] === note) {
        start = { segment: s, row: i + 1 };
        break found;
      }
    }
  }
  const open = new Map<number, SegmentRow[]>(); // call-id hash -> allowed decisions still open
  for (let s = start.segment; s < segments.length; s += 1) {
    const index = segments[s]!;
    for (let i = s === start.segment ? start.row : 0; i < index.count; i += 1) {
      const hash = index.calls[i]!;
      if (index.types[i] === TYPE_CODE.decision && index.effects[i] === EFFECT_CODE.allow) {
        const rows = open.get(hash);
        if (rows) rows.push({ segment: s, row: i });
        else open.set(hash, [{ segment: s, row: i }]);
      } else if (index.types[i] === TYPE_CODE.outcome) {
        const rows = open.get(hash);
        rows?.shift();
        if (rows?.length === 0) open.delete(hash);
      }
    }
  }
  return [...open.values()].flat().sort((a, b) => a.segment - b.segment || a.row - b.row);
}

/** Names the call of a decision line (read back from its segment). */
export function unrecordedCall(line: string): UnrecordedCall {
  const record = JSON.parse(line) as AuditRecord;
  const call = record.type === 'event' ? undefined : record;
  return { seq: record.seq, time: record.time, callId: call?.callId ?? '', server: call?.server ?? '', tool: call?.tool ?? '' };
}
