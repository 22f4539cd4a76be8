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

/**
 * The allowed calls in the active segment with no outcome, after the last note of this kind (those
 * before it were reported when the log was last opened). A call is matched to its outcome by the
 * index's call-id hash, then read back from the segment to name it.
 */
export function unrecordedOutcomes(content: Buffer, index: SegmentIndex): { calls: UnrecordedCall[]; count: number } {
  const note = index.dicts.event.lookup(UNRECORDED_EVENT);
  let from = 0;
  for (let i = index.count - 1; note >= 0 && i >= 0; i -= 1) {
    if (index.types[i] === TYPE_CODE.event && index.events[i] === note) {
      from = i + 1;
      break;
    }
  }
  const open = new Map<number, number[]>(); // call-id hash -> rows of allowed decisions still open
  for (let i = from; i < index.count; i += 1) {
    const hash = index.calls[i]!;
    if (index.types[i] === TYPE_CODE.decision && index.effects[i] === EFFECT_CODE.allow) {
      const rows = open.get(hash);
      if (rows) rows.push(i);
      else open.set(hash, [i]);
    } else if (index.types[i] === TYPE_CODE.outcome) {
      const rows = open.get(hash);
      rows?.shift();
      if (rows?.length === 0) open.delete(hash);
    }
  }
  const rows = [...open.values()].flat().sort((a, b) => a - b);
  const calls = rows.slice(0, MAX_LISTED).map((row): UnrecordedCall => {
    const offset = index.offsets[row]!;
    const record = JSON.parse(content.toString('utf8', offset, offset + index.lengths[row]!)) as AuditRecord;
    const call = record.type === 'event' ? undefined : record;
    return { seq: record.seq, time: record.time, callId: call?.callId ?? '', server: call?.server ?? '', tool: call?.tool ?? '' };
  });
  return { calls, count: rows.length };
}
