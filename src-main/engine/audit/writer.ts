// The chain writer: appends records to the active segment (one write for every record queued in the
// same turn of the event loop), rotates by size or UTC day, applies retention, repairs a torn tail on
// open, and keeps the head checkpoint and the active segment's index (its text filters and sidecar kept while
// the log is quiet: idle-index.ts).
// A record's promise resolves once its bytes are in the file: from then on a crash of Warden (kill -9)
// cannot lose it. fdatasync follows in the background, at most SYNC_DELAY_MS later, as a group commit
// for everything written meanwhile (so power loss can cost at most the last few tens of milliseconds),
// without holding calls for the disk. A failed write rejects every record not yet written and the chain carries on from the last
// written record; a failed fdatasync stops the log (every later record is refused: fail closed).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { checkLine, GENESIS_HASH, sealRecord, type SealedLine } from './chain.js';
import type { AuditFs, AppendHandle } from './audit-fs.js';
import { AuditError } from './errors.js';
import type { UnsealedRecord } from './record.js';
import { eventRecord } from './record.js';
import { IdleIndexer } from './idle-index.js';
import { CARRY_EVENT, carriedCalls, MAX_LISTED, OpenCalls, scanStart, UNRECORDED_EVENT, unrecordedCall, unrecordedRows, type UnrecordedCall } from './unrecorded.js';
import { SegmentIndex } from './segment-index.js';
import { loadSidecar, saveSidecar } from './sidecar.js';
import { HEAD_FILE, indexPathOf, listSegments, readHead, segmentName, serializeHead, utcDay, type HeadCheckpoint, type SegmentFile } from './segments.js';

export interface WriterOptions {
  maxSegmentBytes: number;
  rotateDaily: boolean;
  /** Whole segments older than this many days are removed; 0 keeps everything. */
  retentionDays: number;
  /** Oldest whole segments are also removed while the log is larger than this many bytes; 0 or absent: no size limit. */
  retentionMaxBytes?: number;
  /** Never removed for size: segments with records from the last this many days (a managed minimum). */
  retentionFloorDays?: number;
  now: () => number;
  fs: AuditFs;
}

/** What the writer found and cut when it opened a log whose last record was written only in part. */
export interface TornTailRepair {
  segment: string;
  /** Where the cut was made (bytes into the segment). */
  offset: number;
  bytesRemoved: number;
  /** sha256 of the removed bytes, so the cut can be matched to a copy of the file. */
  removedSha256: string;
  /** The last complete record before the cut. */
  afterSeq: number;
}

interface Pending {
  sealed: SealedLine;
  record: UnsealedRecord;
  resolve: (line: SealedLine) => void;
  reject: (error: Error) => void;
}

const DAY_MS = 86_400_000;
/** Records per write: bounds the latency of one batch and the size of one write. */
const MAX_BATCH = 8192;
/** How often, at most, the head checkpoint is rewritten while records keep coming. */
const HEAD_INTERVAL_MS = 100;
/** How long fdatasync waits after the first unsynced write: the most a power loss can cost, plus the sync itself. */
const SYNC_DELAY_MS = 20;
/** How long a record nothing waits for may wait to share a write with the next one. */
const LAZY_WRITE_MS = 5;

/** A carry event (unrecorded.ts): exempt from the size limit, so that it stays in its segment. */
const isCarry = (record: UnsealedRecord) => record.type === 'event' && record.event === CARRY_EVENT;

async function readFirstLine(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, bytesRead).indexOf(10);
    return end < 0 ? undefined : buffer.toString('utf8', 0, end);
  } finally {
    await handle.close();
  }
}

/** The seq and hash of the last well-formed line of `content`, if any. */
function lastLink(content: Buffer): { seq: number; hash: string } | undefined {
  let end = content.length;
  while (end > 0) {
    const start = content.lastIndexOf(10, end - 2) + 1;
    const line = content.toString('utf8', start, end - 1);
    const checked = checkLine(line);
    if (checked.problem !== 'malformed') return { seq: checked.seq, hash: checked.hash };
    end = start;
  }
  return undefined;
}

export class ChainWriter {
  /** The torn tail cut on open, if there was one. */
  repair: TornTailRepair | undefined;
  /** Called after each written batch (syslog forwarding). Must not throw. */
  onDurable: ((lines: SealedLine[]) => void) | undefined;
  /** Warnings that do not stop writing (a head checkpoint that could not be updated). */
  onWarning: ((message: string) => void) | undefined;

  activeIndex = new SegmentIndex();
  active: SegmentFile | undefined;

  private handle: AppendHandle | undefined;
  private size = 0;
  private nextSeq = 1;
  private lastHash = GENESIS_HASH;
  private writtenSeq = 0;
  private writtenHash = GENESIS_HASH;
  private syncedSeq = 0;
  private syncedHash = GENESIS_HASH;
  private pending: Pending[] = [];
  /** Allowed calls sealed without their outcome yet: carried into each new segment (unrecorded.ts). */
  private readonly openCalls = new OpenCalls();
  private flushing: Promise<void> | undefined;
  private lazyTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  /** When the first write not covered by a started fdatasync was made (performance.now()). */
  private unsyncedSince: number | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private headTimer: NodeJS.Timeout | undefined;
  private headWrite: Promise<void> = Promise.resolve();
  private broken: Error | undefined;
  private closed = false;
  /** The retention run in progress, and whether another was asked for while it ran. */
  private retention: Promise<void> | undefined;
  private retentionAgain = false;
  private readonly idle = new IdleIndexer(() => (this.active ? { segment: this.active, index: this.activeIndex } : undefined));

  private constructor(
    readonly dir: string,
    private readonly options: WriterOptions,
  ) {}

  static async open(dir: string, options: WriterOptions): Promise<ChainWriter> {
    const writer = new ChainWriter(dir, options);
    await writer.recover();
    return writer;
  }

  /** The last acknowledged record (in the file). */
  get lastWritten(): { seq: number; hash: string } {
    return { seq: this.writtenSeq, hash: this.writtenHash };
  }

  /**
   * Allowed calls the last Warden left without an outcome (see unrecorded.ts): in the active segment
   * and, unless the active one holds the last such note, the segment before it (a call decided just
   * before a rotation has its outcome in the next segment), plus the calls the active segment's carry
   * event brings in from older segments.
   */
  private async unrecorded(content: Buffer, earlier: SegmentFile | undefined): Promise<{ calls: UnrecordedCall[]; count: number }> {
    const parts: { index: SegmentIndex; line(row: number): Promise<string> }[] = [];
    const lineOf = (buf: Buffer, index: SegmentIndex) => async (row: number) => buf.toString('utf8', index.offsets[row]!, index.offsets[row]! + index.lengths[row]!);
    if (earlier && this.activeIndex!.dicts.event.lookup(UNRECORDED_EVENT) < 0) {
      const size = (await stat(earlier.path)).size;
      const sidecar = await loadSidecar(earlier);
      if (sidecar && sidecar.bytes === size) {
        parts.push({
          index: sidecar,
          line: async (row) => {
            const handle = await open(earlier.path, 'r');
            try {
              const buf = Buffer.alloc(sidecar.lengths[row]!);
              await handle.read(buf, 0, buf.length, sidecar.offsets[row]!);
              return buf.toString('utf8');
            } finally {
              await handle.close();
            }
          },
        });
      } else {
        const bytes = await readFile(earlier.path);
        const index = SegmentIndex.build(bytes);
        parts.push({ index, line: lineOf(bytes, index) });
      }
    }
    parts.push({ index: this.activeIndex!, line: lineOf(content, this.activeIndex!) });
    const indexes = parts.map((p) => p.index);
    const { start, carry } = scanStart(indexes);
    const carried = carry ? carriedCalls(await parts[carry.segment]!.line(carry.row)) : [];
    const stillOpen = unrecordedRows(indexes, start, carried);
    const calls: UnrecordedCall[] = [];
    for (const call of stillOpen.slice(0, MAX_LISTED)) calls.push('carried' in call ? call.carried : unrecordedCall(await parts[call.segment]!.line(call.row)));
    return { calls, count: stillOpen.length };
  }

  private async recover(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const segments = await listSegments(this.dir);
    const head = await readHead(this.dir).catch(() => undefined);
    const notes: UnsealedRecord[] = [];
    let unrecordedNote: { calls: UnrecordedCall[]; count: number } | undefined;
    if (segments.length > 0) {
      const segment = segments[segments.length - 1]!;
      let content = await readFile(segment.path);
      const cut = content.lastIndexOf(10) + 1;
      if (cut < content.length) {
        const removed = content.subarray(cut);
        const handle = await this.options.fs.openAppend(segment.path);
        try {
          handle.truncate(cut);
          await handle.sync();
        } finally {
          await handle.close();
        }
        content = content.subarray(0, cut);
        this.repair = {
          segment: segment.name,
          offset: cut,
          bytesRemoved: removed.length,
          removedSha256: createHash('sha256').update(removed).digest('hex'),
          afterSeq: lastLink(content)?.seq ?? segment.firstSeq - 1,
        };
      }
      this.active = segment;
      this.size = content.length;
      this.activeIndex = SegmentIndex.build(content);
      const unrecorded = await this.unrecorded(content, segments.length > 1 ? segments[segments.length - 2] : undefined);
      if (unrecorded.count > 0) unrecordedNote = unrecorded;
      // An empty last segment (created just before a crash): the chain continues from an earlier one.
      let link = lastLink(content);
      for (let i = segments.length - 2; !link && i >= 0; i -= 1) link = lastLink(await readFile(segments[i]!.path));
      if (link) {
        this.writtenSeq = this.syncedSeq = link.seq;
        this.writtenHash = this.syncedHash = link.hash;
      }
    }
    this.nextSeq = this.writtenSeq + 1;
    this.lastHash = this.writtenHash;
    if (this.repair) {
      notes.push(eventRecord('audit.repaired', {
        reason: 'The last record of the log was written only in part (the process stopped mid-write); the partial bytes were removed. That record was never acknowledged, so its call did not go through.',
        ...this.repair,
      }, new Date(this.options.now()).toISOString()));
    }
    if (head && head.seq > this.writtenSeq) {
      notes.push(eventRecord('audit.truncation-detected', {
        reason: 'The head checkpoint names a record the log no longer holds: records were removed from the end of the log.',
        headSeq: head.seq,
        headHash: head.hash,
        logSeq: this.writtenSeq,
      }, new Date(this.options.now()).toISOString()));
    }
    if (!head && this.writtenSeq > 0) {
      notes.push(eventRecord('audit.head-missing', {
        reason: 'The head checkpoint was missing although the log holds records; the end of the log cannot be vouched for before this record.',
        logSeq: this.writtenSeq,
      }, new Date(this.options.now()).toISOString()));
    }
    if (unrecordedNote) {
      notes.push(eventRecord(UNRECORDED_EVENT, {
        reason: 'These calls were let through, but the Warden that forwarded them stopped (killed, crashed or cut off) before their outcome was written: whether they completed is not known.',
        count: unrecordedNote.count,
        calls: unrecordedNote.calls,
        ...(unrecordedNote.count > unrecordedNote.calls.length ? { listed: unrecordedNote.calls.length } : {}),
      }, new Date(this.options.now()).toISOString()));
    }
    if (!head) await this.writeHead();
    await Promise.all(notes.map((note) => this.append(note)));
    await this.applyRetention();
  }

  /**
   * Queues a record; resolves once it is in the file, rejects (AUDIT_WRITE_FAILED) if it cannot be.
   * An urgent record (a call waits for it) is written in this turn of the event loop; others (outcomes,
   * events: nothing waits for them) up to LAZY_WRITE_MS later, so they share the next call's write.
   */
  append(record: UnsealedRecord, urgent = true): Promise<SealedLine> {
    if (this.closed) return Promise.reject(new AuditError('AUDIT_CLOSED', 'The audit log is closed; no record can be written.'));
    if (this.broken) {
      return Promise.reject(new AuditError('AUDIT_WRITE_FAILED', `The audit log cannot be written: ${this.broken.message}. Restart Warden after fixing the cause.`, { cause: this.broken }));
    }
    const sealed = sealRecord(record, this.nextSeq, this.lastHash);
    this.nextSeq += 1;
    this.lastHash = sealed.hash;
    return new Promise<SealedLine>((resolve, reject) => {
      const entry = { sealed, record, resolve, reject };
      this.pending.push(entry);
      this.openCalls.track(entry);
      if (urgent) this.flushNow();
      // One timer per window, left running when an urgent record flushes first (cheaper than a timer per call).
      else
        this.lazyTimer ??= setTimeout(() => {
          this.lazyTimer = undefined;
          if (this.pending.length > 0) this.flushNow();
        }, LAZY_WRITE_MS);
    });
  }

  private flushNow(): void {
    if (!this.flushing) this.flushing = new Promise<void>((done) => setImmediate(() => void this.flushLoop().finally(done)));
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.length <= MAX_BATCH ? this.pending : this.pending.slice(0, MAX_BATCH);
        this.pending = batch === this.pending ? [] : this.pending.slice(MAX_BATCH);
        await this.flushBatch(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Writes one batch, splitting it where the active segment must rotate; fdatasync follows. */
  private async flushBatch(batch: Pending[]): Promise<void> {
    let rotated = false;
    let from = 0;
    while (from < batch.length) {
      if (this.broken || this.closed) {
        // A failed fdatasync (or a closed log): records written after it could not be vouched for.
        this.failFrom(batch.slice(from), this.broken ?? new AuditError('AUDIT_CLOSED', 'The audit log is closed.'));
        return;
      }
      const first = batch[from]!;
      let rotate: boolean;
      try {
        rotate = await this.ensureSegment(first.record, first.sealed.seq, Buffer.byteLength(first.sealed.line) + 1);
      } catch (cause) {
        this.failFrom(batch.slice(from), cause);
        return;
      }
      rotated ||= rotate;
      // Take records up to the segment's size limit (at least one) and while the UTC day holds.
      const room = this.options.maxSegmentBytes - this.size;
      const day = this.active!.day;
      const dayIso = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
      let to = from;
      let bytes = 0;
      const lengths: number[] = [];
      while (to < batch.length) {
        const p = batch[to]!;
        const length = Buffer.byteLength(p.sealed.line) + 1;
        if (to > from && ((bytes + length > room && !isCarry(p.record)) || (this.options.rotateDaily && !p.record.time.startsWith(dayIso)))) break;
        lengths.push(length);
        bytes += length;
        to += 1;
      }
      const part = batch.slice(from, to);
      let text = '';
      for (const p of part) text += `${p.sealed.line}\n`;
      try {
        this.handle!.write(Buffer.from(text));
      } catch (cause) {
        this.undoPartialWrite();
        this.failFrom(batch.slice(from), cause);
        return;
      }
      let offset = this.size;
      for (let i = 0; i < part.length; i += 1) {
        this.activeIndex.add(part[i]!.record, offset, lengths[i]!, part[i]!.sealed.seq);
        offset += lengths[i]!;
      }
      this.size = offset;
      const last = part[part.length - 1]!.sealed;
      this.writtenSeq = last.seq;
      this.writtenHash = last.hash;
      this.scheduleSync();
      this.idle.written();
      for (const p of part) p.resolve(p.sealed);
      if (this.onDurable) {
        try {
          this.onDurable(part.map((p) => p.sealed));
        } catch {
          // forwarding never affects writing
        }
      }
      from = to;
    }
    if (rotated) void this.applyRetention();
  }

  /** Rejects `failed` and everything queued after it (chained on records that are not on disk). */
  private failFrom(failed: Pending[], cause: unknown): void {
    const code = (cause as NodeJS.ErrnoException).code;
    const error = new AuditError(
      'AUDIT_WRITE_FAILED',
      `The audit record could not be written to ${this.active?.path ?? this.dir}${code ? ` (${code})` : ''}: ${(cause as Error).message}. The call was not let through.`,
      { cause },
    );
    const all = [...failed, ...this.pending];
    this.pending = [];
    for (const p of all) this.openCalls.forget(p);
    this.nextSeq = this.writtenSeq + 1;
    this.lastHash = this.writtenHash;
    for (const p of all) p.reject(error);
  }

  /**
   * Group commit: one fdatasync for everything written since the last one started. It starts
   * SYNC_DELAY_MS after the first write not yet covered, so that it gathers more records and does not
   * compete with the call that wrote them for the CPU while that call's answer is on its way. Writes
   * made during a sync wait for their own window too (not for a sync right after it): under steady
   * load the disk is flushed about every SYNC_DELAY_MS, not back to back.
   */
  private scheduleSync(): void {
    this.unsyncedSince ??= performance.now();
    if (this.syncing || this.syncTimer) return; // the sync under way schedules the next one when it ends
    this.syncTimer = setTimeout(() => this.startSync(), SYNC_DELAY_MS);
  }

  private startSync(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.syncing) return;
    this.syncing = this.syncOnce().finally(() => {
      this.syncing = undefined;
      if (this.unsyncedSince !== undefined && !this.broken && !this.closed) {
        this.syncTimer = setTimeout(() => this.startSync(), Math.max(0, this.unsyncedSince + SYNC_DELAY_MS - performance.now()));
      }
    });
  }

  private async syncOnce(): Promise<void> {
    if (this.broken) return;
    const handle = this.handle;
    const seq = this.writtenSeq;
    const hash = this.writtenHash;
    if (!handle || seq <= this.syncedSeq) return;
    this.unsyncedSince = undefined; // this sync covers everything written so far
    try {
      await handle.sync();
    } catch (error) {
      // Written records may not reach the disk: refuse everything from now on rather than carry on.
      this.broken ??= error as Error;
      this.onWarning?.(`The audit log could not be synced to disk (${(error as Error).message}); no further call is let through until Warden restarts.`);
      return;
    }
    this.syncedSeq = seq;
    this.syncedHash = hash;
    this.headTimer ??= setTimeout(() => {
      this.headTimer = undefined;
      void this.writeHead();
    }, HEAD_INTERVAL_MS).unref();
  }

  private undoPartialWrite(): void {
    if (!this.handle) return;
    try {
      this.handle.truncate(this.size);
    } catch (error) {
      // Bytes of records that were never acknowledged may remain: stop writing rather than chain after them.
      this.broken = error as Error;
    }
  }

  /** Opens the segment the next batch goes to, rotating first when size or day says so. */
  private async ensureSegment(first: UnsealedRecord, firstSeq: number, bytes: number): Promise<boolean> {
    const day = utcDay(Date.parse(first.time));
    const mustRotate =
      this.active !== undefined &&
      this.size > 0 &&
      ((this.size + bytes > this.options.maxSegmentBytes && !isCarry(first)) || (this.options.rotateDaily && day !== this.active.day));
    if (this.handle && !mustRotate) return false;
    if (this.active && !mustRotate) {
      this.handle = await this.options.fs.openAppend(this.active.path);
      return false;
    }
    const closing = mustRotate ? this.active : undefined;
    if (closing) await this.sealActive();
    const name = segmentName(firstSeq, day);
    const segment: SegmentFile = { name, path: join(this.dir, name), firstSeq, day };
    this.handle = await this.options.fs.openAppend(segment.path);
    await this.options.fs.syncDir(this.dir).catch(() => undefined);
    this.active = segment;
    this.size = 0;
    this.activeIndex = new SegmentIndex();
    // Sealed now, so it lists exactly the calls open as of the records sealed before it; the flush
    // loop writes it right after this batch (a carry may take a segment past its size limit: it must
    // land in the segment it was made for).
    const carry = closing ? this.openCalls.carry(closing.firstSeq) : undefined;
    if (carry) this.append(eventRecord(CARRY_EVENT, carry, new Date(this.options.now()).toISOString())).catch(() => undefined);
    return true;
  }

  /** Closes the active segment for good (synced) and leaves its index beside it. */
  private async sealActive(): Promise<void> {
    const index = this.activeIndex;
    const segment = this.active!;
    await this.syncNow();
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    // An idle step may be saving an older snapshot of this sidecar: the whole one goes last.
    await this.idle.settle();
    const error = await saveSidecar(segment, index);
    if (error) this.onWarning?.(`The index of ${segment.name} could not be written (${error.message}); queries will rebuild it.`);
  }

  /** Waits for the background sync, then syncs whatever was written after it started. */
  private async syncNow(): Promise<void> {
    while (this.syncing) await this.syncing;
    if (this.writtenSeq > this.syncedSeq && !this.broken) {
      this.startSync();
      await this.syncing;
    }
  }

  /** The head checkpoint names the last record known to be on disk; written at most every HEAD_INTERVAL_MS. */
  private writeHead(): Promise<void> {
    this.headWrite = this.headWrite.then(() => this.writeHeadNow());
    return this.headWrite;
  }

  private async writeHeadNow(): Promise<void> {
    const head: HeadCheckpoint = {
      seq: this.syncedSeq,
      hash: this.syncedHash,
      segment: this.active?.name ?? '',
      time: new Date(this.options.now()).toISOString(),
    };
    const target = join(this.dir, HEAD_FILE);
    const temp = `${target}.tmp`;
    try {
      await writeFile(temp, serializeHead(head), { mode: 0o600 });
      await rename(temp, target);
    } catch (error) {
      // The records are durable; a stale head only weakens the end-of-log truncation check.
      this.onWarning?.(`The audit head checkpoint could not be updated: ${(error as Error).message}`);
    }
  }

  /**
   * Removes whole segments whose records are all older than the retention period. First a durable
   * `audit.retention` record names what goes and the last hash removed (verification uses it as the
   * new start of the chain), then the files are deleted.
   */
  applyRetention(): Promise<void> {
    // One run at a time; a call while one runs (a rotation meanwhile) is answered by one more run
    // after it, so whoever awaits this sees every segment that was due go.
    if (this.retention) {
      this.retentionAgain = true;
      return this.retention;
    }
    this.retention = (async () => {
      try {
        do {
          this.retentionAgain = false;
          await this.retentionOnce();
        } while (this.retentionAgain && !this.closed);
      } finally {
        this.retention = undefined;
      }
    })();
    return this.retention;
  }

  private async retentionOnce(): Promise<void> {
    const maxBytes = this.options.retentionMaxBytes ?? 0;
    if ((this.options.retentionDays <= 0 && maxBytes <= 0) || this.closed) return;
    try {
      const segments = await listSegments(this.dir);
      let removeCount = 0;
      if (this.options.retentionDays > 0) {
        const cutoffDay = utcDay(this.options.now() - this.options.retentionDays * DAY_MS);
        // A segment may go when the segment after it was opened before the cutoff day.
        for (let i = 0; i + 1 < segments.length; i += 1) {
          if (segments[i + 1]!.day < cutoffDay) removeCount = i + 1;
          else break;
        }
      }
      const byDays = removeCount;
      if (maxBytes > 0) {
        // Oldest first, never the active (last) segment, never one holding records inside the floor.
        const sizes = await Promise.all(segments.map((seg) => stat(seg.path).then((st) => st.size, () => 0)));
        const floorDay = this.options.retentionFloorDays ? utcDay(this.options.now() - this.options.retentionFloorDays * DAY_MS) : undefined;
        let total = sizes.reduce((a, b) => a + b, 0);
        let bySize = 0;
        while (bySize + 1 < segments.length && total > maxBytes && (floorDay === undefined || segments[bySize + 1]!.day < floorDay)) total -= sizes[bySize++]!;
        removeCount = Math.max(removeCount, bySize);
      }
      if (removeCount === 0) return;
      const keep = segments[removeCount]!;
      const first = await readFirstLine(keep.path);
      if (!first) return;
      const checked = checkLine(first);
      if (checked.problem === 'malformed') return;
      const removed = segments.slice(0, removeCount);
      await this.append(eventRecord('audit.retention', {
        reason:
          removeCount > byDays
            ? `The oldest segments were removed to keep the log under ${maxBytes} bytes.`
            : `Segments older than the retention period (${this.options.retentionDays} days) were removed.`,
        removed: removed.map((s) => s.name),
        removedThroughSeq: checked.seq - 1,
        removedLastHash: checked.prev,
        retentionDays: this.options.retentionDays,
        ...(maxBytes > 0 ? { retentionMaxBytes: maxBytes } : {}),
      }, new Date(this.options.now()).toISOString()));
      for (const segment of removed) {
        await unlink(segment.path).catch(() => undefined);
        await unlink(indexPathOf(segment.path)).catch(() => undefined);
      }
    } catch (error) {
      this.onWarning?.(`Audit retention could not run: ${(error as Error).message}`);
    }
  }

  /** Waits for every queued record, syncs it and the head checkpoint, then closes the file. */
  async close(): Promise<void> {
    // Records still waiting to share a write go now, also ones appended while this waits; no timer
    // outlives the log.
    // A retention run under way finishes first: its record and its deletions go together.
    while (this.flushing || this.pending.length > 0 || this.retention) {
      if (this.retention) await this.retention;
      this.flushNow();
      await this.flushing;
    }
    this.closed = true;
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    await this.idle.stop();
    await this.syncNow();
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.headTimer) clearTimeout(this.headTimer);
    this.headTimer = undefined;
    await this.writeHead();
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}
