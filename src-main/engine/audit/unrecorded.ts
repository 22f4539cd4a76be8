// Calls let through whose outcome never reached the log. Every decided call gets an outcome record
// once it ends, but only a running Warden can write it: after a kill -9, a crash or a power cut, the
// calls that were still running (or whose outcome waited the few milliseconds before its write) have a
// decision and nothing more. When the log is opened again nobody can write those outcomes any longer
// (one engine at a time holds the log), so the gap is put on record instead of staying silent.
import type { AuditRecord, UnsealedRecord } from './record.js';
import { callIdHash, EFFECT_CODE, TYPE_CODE, type SegmentIndex } from './segment-index.js';

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
 * The event that carries calls still running across rotations. The scan reads the active segment and
 * the one before it, which holds the decision of any call still running from just before the last
 * rotation; a call decided earlier than that (a long build while busy traffic fills segments) is
 * listed by this event, sealed at the top of the new segment.
 */
export const CARRY_EVENT = 'audit.calls-open';

/** A row of one of the segments passed to unrecordedRows. */
export interface SegmentRow {
  segment: number;
  row: number;
}

/** An open call: a decision row of the scanned segments, or one carried in from an older segment. */
export type OpenCall = SegmentRow | { carried: UnrecordedCall };

/** A record as the writer seals it: what OpenCalls keeps (no copy on the call path). */
export interface SealedRecord {
  record: UnsealedRecord;
  sealed: { seq: number };
}

/**
 * The allowed calls whose outcome is not yet sealed, as of the last record sealed (the writer feeds it
 * every record in seq order): what a carry event lists.
 */
export class OpenCalls {
  readonly #open = new Map<string, SealedRecord>();

  track(entry: SealedRecord): void {
    const { record } = entry;
    if (record.type === 'decision' && record.effect === 'allow') {
      this.#open.delete(record.callId); // re-inserted last: the Map stays in seq order
      this.#open.set(record.callId, entry);
    } else if (record.type === 'outcome') {
      this.#open.delete(record.callId);
    }
  }

  /** A decision that could not be written (its call was refused): not open after all. */
  forget(entry: SealedRecord): void {
    const { record } = entry;
    if (record.type === 'decision' && this.#open.get(record.callId) === entry) this.#open.delete(record.callId);
  }

  /** The data of a carry event for the open calls decided before `beforeSeq`, oldest first; none: undefined. */
  carry(beforeSeq: number): { reason: string; count: number; calls: UnrecordedCall[] } | undefined {
    const calls: UnrecordedCall[] = [];
    for (const { record, sealed } of this.#open.values()) {
      if (sealed.seq >= beforeSeq) break; // in seq order: a Map keeps insertion order
      if (record.type === 'decision') calls.push({ seq: sealed.seq, time: record.time, callId: record.callId, server: record.server, tool: record.tool });
    }
    if (calls.length === 0) return undefined;
    return {
      reason: 'These calls were decided before the previous segment and are still running as the log moves on to this one; their outcomes follow here or later.',
      count: calls.length,
      calls,
    };
  }
}

/**
 * Where the scan starts in the given segments (the one before the active one, if read, and the
 * active one): after the last note, whose calls were reported when the log was last opened, or at the
 * first segment's start; and the carry event of the active segment after that point, if any.
 */
export function scanStart(segments: readonly SegmentIndex[]): { start: SegmentRow; carry?: SegmentRow } {
  const last = (index: SegmentIndex, event: string, from = 0): number => {
    const code = index.dicts.event.lookup(event);
    for (let i = index.count - 1; code >= 0 && i >= from; i -= 1) if (index.types[i] === TYPE_CODE.event && index.events[i] === code) return i;
    return -1;
  };
  let start: SegmentRow = { segment: 0, row: 0 };
  for (let s = segments.length - 1; s >= 0; s -= 1) {
    const note = last(segments[s]!, UNRECORDED_EVENT);
    if (note >= 0) {
      start = { segment: s, row: note + 1 };
      break;
    }
  }
  const active = segments.length - 1;
  const carry = active >= 0 ? last(segments[active]!, CARRY_EVENT, start.segment === active ? start.row : 0) : -1;
  return carry >= 0 ? { start, carry: { segment: active, row: carry } } : { start };
}

/** The calls a carry event's line lists. */
export function carriedCalls(line: string): UnrecordedCall[] {
  const record = JSON.parse(line) as AuditRecord;
  const calls = record.type === 'event' && Array.isArray(record.data.calls) ? (record.data.calls as UnrecordedCall[]) : [];
  return calls.filter((c) => c !== null && typeof c === 'object' && typeof c.callId === 'string');
}

/**
 * The allowed calls with no outcome in the given segments from `start` (see scanStart), together with
 * the `carried` ones (decided in older segments), still open unless an outcome follows. A call is
 * matched to its outcome by the index's call-id hash.
 */
export function unrecordedRows(segments: readonly SegmentIndex[], start: SegmentRow = { segment: 0, row: 0 }, carried: readonly UnrecordedCall[] = []): OpenCall[] {
  const open = new Map<number, OpenCall[]>(); // call-id hash -> allowed decisions still open
  const opened = (hash: number, call: OpenCall) => {
    const calls = open.get(hash);
    if (calls) calls.push(call);
    else open.set(hash, [call]);
  };
  for (const call of carried) opened(callIdHash(call.callId), { carried: call });
  for (let s = start.segment; s < segments.length; s += 1) {
    const index = segments[s]!;
    for (let i = s === start.segment ? start.row : 0; i < index.count; i += 1) {
      const hash = index.calls[i]!;
      if (index.types[i] === TYPE_CODE.decision && index.effects[i] === EFFECT_CODE.allow) {
        opened(hash, { segment: s, row: i });
      } else if (index.types[i] === TYPE_CODE.outcome) {
        const calls = open.get(hash);
        calls?.shift();
        if (calls?.length === 0) open.delete(hash);
      }
    }
  }
  // Oldest first: carried calls (from older segments, listed in seq order), then rows in log order.
  const still = [...open.values()].flat();
  const rows = still.filter((c): c is SegmentRow => !('carried' in c)).sort((a, b) => a.segment - b.segment || a.row - b.row);
  return [...still.filter((c) => 'carried' in c).sort((a, b) => a.carried.seq - b.carried.seq), ...rows];
}

/** Names the call of a decision line (read back from its segment). */
export function unrecordedCall(line: string): UnrecordedCall {
  const record = JSON.parse(line) as AuditRecord;
  const call = record.type === 'event' ? undefined : record;
  return { seq: record.seq, time: record.time, callId: call?.callId ?? '', server: call?.server ?? '', tool: call?.tool ?? '' };
}
