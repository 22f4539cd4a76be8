// Reading the audit log: filtered, paginated queries (newest first by default) and ordered record
// streams for export and tail. Uses each segment's column index (kept by the writer for the active
// segment, read from the `.idx` sidecar for sealed ones, extended or rebuilt from the segment file
// when stale), then reads only the matching lines. Safe while an engine is appending: only complete
// lines are read.
import { open, readFile, stat } from 'node:fs/promises';
import type { CallStatus } from '../../../shared/words.js';
import type { AuditRecord } from './record.js';
import { PAYLOAD_FIELDS } from './record.js';
import { callIdHash, EFFECT_CODE, SegmentIndex, STATUS_CODE, TYPE_CODE } from './segment-index.js';
import { indexPathOf, listSegments, type SegmentFile } from './segments.js';
import { parseTime } from './time.js';

export interface AuditQuery {
  /** Inclusive lower bound on the record time (ISO 8601, epoch ms, or a relative age like `24h`). */
  since?: string | number;
  /** Inclusive upper bound on the record time. */
  until?: string | number;
  /** A client id (token-bound) or the name a client claimed. */
  client?: string;
  server?: string;
  tool?: string;
  effect?: 'allow' | 'deny';
  status?: CallStatus;
  type?: 'decision' | 'outcome' | 'event';
  /** An event kind, e.g. `engine.started` (implies type `event`). */
  event?: string;
  /** The records of one call (its decision and its outcome). */
  callId?: string;
  /** Case-insensitive text searched in each record's metadata (never in captured payloads). */
  text?: string;
  /** Cursor: only records with a smaller seq (the `nextCursor` of the previous page). */
  before?: number;
  /** Only records with a larger seq (for following the log). */
  after?: number;
  /** `newest` (default) or `oldest` first. */
  order?: 'newest' | 'oldest';
  /** Page size, 1..1000 (default 50). */
  limit?: number;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass as `before` (newest first) or `after` (oldest first) for the next page; absent on the last page. */
  nextCursor?: number;
  /** How many index rows were looked at. */
  scanned: number;
}

/** The writer's live view of its active segment, so a query in the engine need not re-read it. */
export interface LiveSegment {
  segment: SegmentFile;
  index: SegmentIndex;
}

interface Filter {
  since: number;
  until: number;
  before: number;
  after: number;
  type: number;
  effect: number;
  status: number;
  text: string | undefined;
}

function metadataText(line: string): string {
  if (!line.includes('"args":') && !line.includes('"result":') && !line.includes('"error":')) return line.toLowerCase();
  const record = JSON.parse(line) as Record<string, unknown>;
  for (const field of PAYLOAD_FIELDS) delete record[field];
  return JSON.stringify(record).toLowerCase();
}

export class AuditReader {
  private readonly cache = new Map<string, SegmentIndex>();

  constructor(
    readonly dir: string,
    private readonly live?: () => LiveSegment | undefined,
    /** Size of the buffer text search reads through (grown for longer lines). */
    scratchBytes = 8 * 1024 * 1024,
  ) {
    this.scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /** The index of one segment, current up to the last complete line on disk. */
  async indexOf(segment: SegmentFile): Promise<SegmentIndex> {
    const live = this.live?.();
    if (live && live.segment.name === segment.name) return live.index;
    let index = this.cache.get(segment.name);
    if (!index) {
      const sidecar = this.trustSidecars ? await readFile(indexPathOf(segment.path)).catch(() => undefined) : undefined;
      index = (sidecar && SegmentIndex.deserialize(sidecar)) || new SegmentIndex();
    }
    const size = (await stat(segment.path)).size;
    if (size < index.bytes) index = new SegmentIndex();
    if (size > index.bytes) {
      const handle = await open(segment.path, 'r');
      try {
        const length = size - index.bytes;
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, index.bytes);
        const base = index.bytes;
        const content = buffer.subarray(0, bytesRead);
        let start = 0;
        for (;;) {
          const end = content.indexOf(10, start);
          if (end < 0) break;
          try {
            index.add(JSON.parse(content.toString('utf8', start, end)) as AuditRecord, base + start, end + 1 - start);
          } catch {
            index.bytes = base + end + 1;
          }
          start = end + 1;
        }
      } finally {
        await handle.close();
      }
    }
    this.cache.set(segment.name, index);
    return index;
  }

  private scratch: Buffer;

  /** Flags the rows whose line contains `needle` (ASCII, lower case), reading the segment through one reused buffer. */
  private async findTextRows(segment: SegmentFile, index: SegmentIndex, needle: Buffer): Promise<Uint8Array> {
    const flags = new Uint8Array(index.count);
    const handle = await open(segment.path, 'r');
    try {
      let base = 0;
      let filled = 0;
      while (base + filled < index.bytes) {
        if (filled === this.scratch.length) {
          const bigger = Buffer.allocUnsafe(this.scratch.length * 2);
          this.scratch.copy(bigger, 0, 0, filled);
          this.scratch = bigger;
        }
        const buf = this.scratch;
        const want = Math.min(buf.length - filled, index.bytes - base - filled);
        const { bytesRead } = await handle.read(buf, filled, want, base + filled);
        if (bytesRead === 0) break;
        const end = filled + bytesRead;
        const cut = buf.lastIndexOf(10, end - 1) + 1;
        if (cut === 0) {
          filled = end;
          continue;
        }
        lowerAscii(buf, cut);
        markMatches(buf, cut, base, needle, index, flags);
        buf.copyWithin(0, cut, end);
        base += cut;
        filled = end - cut;
      }
    } finally {
      await handle.close();
    }
    return flags;
  }

  /** Index sidecars are a cache; after a line did not parse where an index said it was, they are not trusted. */
  private trustSidecars = true;

  async query(query: AuditQuery = {}, now = Date.now()): Promise<AuditPage> {
    try {
      return await this.queryOnce(query, now);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // A segment changed under its index (edited by hand, or a stale sidecar): rebuild from the files.
      this.cache.clear();
      this.trustSidecars = false;
      return await this.queryOnce(query, now);
    }
  }

  private async queryOnce(query: AuditQuery, now: number): Promise<AuditPage> {
    const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 50)));
    const newest = (query.order ?? 'newest') === 'newest';
    const filter: Filter = {
      since: query.since !== undefined ? parseTime(query.since, now) : -Infinity,
      until: query.until !== undefined ? parseTime(query.until, now) : Infinity,
      before: query.before ?? Infinity,
      after: query.after ?? -Infinity,
      type: query.event ? TYPE_CODE.event : query.type ? TYPE_CODE[query.type] : 0,
      effect: query.effect ? EFFECT_CODE[query.effect] : 0,
      status: query.status ? STATUS_CODE[query.status] : 0,
      text: query.text?.trim() ? query.text.trim().toLowerCase() : undefined,
    };
    const segments = await listSegments(this.dir);
    if (!newest) segments.reverse();
    const found: AuditRecord[] = [];
    let scanned = 0;
    let more = false;
    let examinedSeq: number | undefined;
    for (let s = segments.length - 1; s >= 0 && !more; s -= 1) {
      const segment = segments[s]!;
      let index: SegmentIndex;
      try {
        index = await this.indexOf(segment);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed by retention meanwhile
        throw error;
      }
      const n = index.count;
      if (n === 0) continue;
      if (newest ? index.seqs[0]! >= filter.before : index.seqs[n - 1]! <= filter.after) continue;
      const server = query.server !== undefined ? index.lookup('server', query.server) : 0;
      const tool = query.tool !== undefined ? index.lookup('tool', query.tool) : 0;
      const event = query.event !== undefined ? index.lookup('event', query.event) : 0;
      const clientId = query.client !== undefined ? index.lookup('client', query.client) : 0;
      const clientName = query.client !== undefined ? index.lookup('clientName', query.client) : 0;
      if (server < 0 || tool < 0 || event < 0 || (clientId < 0 && clientName < 0)) continue;
      let textRows: Uint8Array | undefined;
      if (filter.text && /^[\x20-\x7e]+$/.test(filter.text)) {
        // One pass over the segment's bytes (folded to lower case) finds the lines that hold the text at all.
        textRows = await this.findTextRows(segment, index, Buffer.from(filter.text));
      }
      const callHash = query.callId !== undefined ? callIdHash(query.callId) : undefined;
      const rows: number[] = [];
      // With text, a line may match only inside a captured payload: take a few more than needed.
      const want = textRows ? limit - found.length + 16 : limit - found.length;
      for (let k = 0; k < n; k += 1) {
        const i = newest ? n - 1 - k : k;
        scanned += 1;
        const seq = index.seqs[i]!;
        if (seq >= filter.before || seq <= filter.after) continue;
        const time = index.times[i]!;
        if (time < filter.since || time > filter.until) continue;
        if (filter.type && index.types[i] !== filter.type) continue;
        if (filter.effect && index.effects[i] !== filter.effect) continue;
        if (filter.status && index.statuses[i] !== filter.status) continue;
        if (server && index.servers[i] !== server) continue;
        if (tool && index.tools[i] !== tool) continue;
        if (event && index.events[i] !== event) continue;
        if (query.client !== undefined && index.clients[i] !== clientId && index.clientNames[i] !== clientName) continue;
        if (textRows && textRows[i] === 0) continue;
        if (callHash !== undefined && index.calls[i] !== callHash) continue;
        if ((!filter.text || textRows) && rows.length === want) {
          more = true;
          break;
        }
        rows.push(i);
      }
      if (rows.length === 0) continue;
      const lines = textRows || !filter.text ? await readRows(segment, index, rows) : await readAll(segment, index, rows);
      examinedSeq = index.seqs[rows[rows.length - 1]!]!;
      for (let r = 0; r < rows.length; r += 1) {
        const line = lines[r]!;
        if (filter.text && !metadataText(line).includes(filter.text)) continue;
        if (query.callId !== undefined && !line.includes(`"callId":${JSON.stringify(query.callId)}`)) continue;
        if (found.length === limit) {
          more = true;
          break;
        }
        found.push(JSON.parse(line) as AuditRecord);
      }
    }
    const page: AuditPage = { records: found, scanned };
    if (more) {
      // A full page ends at its last record; a page cut short (lines that matched only inside a payload)
      // ends at the last line examined.
      const cursor = found.length === limit ? found[found.length - 1]!.seq : examinedSeq;
      if (cursor !== undefined) page.nextCursor = cursor;
    }
    return page;
  }

  /** Every record line with a time in [since, until], in chain order (for export). */
  async *lines(range: { since?: string | number; until?: string | number } = {}, now = Date.now()): AsyncGenerator<string> {
    const since = range.since !== undefined ? parseTime(range.since, now) : -Infinity;
    const until = range.until !== undefined ? parseTime(range.until, now) : Infinity;
    for (const segment of await listSegments(this.dir)) {
      let index: SegmentIndex;
      try {
        index = await this.indexOf(segment);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const rows: number[] = [];
      for (let i = 0; i < index.count; i += 1) {
        const time = index.times[i]!;
        if (time >= since && time <= until) rows.push(i);
      }
      if (rows.length === 0) continue;
      const content = await readFile(segment.path);
      for (const i of rows) {
        const offset = index.offsets[i]!;
        yield content.toString('utf8', offset, offset + index.lengths[i]! - 1);
      }
    }
  }
}

/** Folds ASCII letters in buf[0, end) to lower case, in place. */
function lowerAscii(buf: Buffer, end: number): void {
  for (let i = 0; i < end; i += 1) {
    const c = buf[i]!;
    if (c >= 65 && c <= 90) buf[i] = c | 32;
  }
}

/** Flags in `flags` the rows holding a match of `needle` in buf[0, end), where buf[0] is byte `base` of the segment. */
function markMatches(buf: Buffer, end: number, base: number, needle: Buffer, index: SegmentIndex, flags: Uint8Array): void {
  const offsets = index.offsets;
  let from = 0;
  let row = 0;
  for (;;) {
    const local = buf.indexOf(needle, from);
    if (local < 0 || local + needle.length > end) break;
    const at = base + local;
    // The row holding byte `at` (rows are in offset order).
    let lo = row;
    let hi = index.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    row = lo;
    if (offsets[row]! <= at && at < offsets[row]! + index.lengths[row]!) flags[row] = 1;
    from = row + 1 < index.count ? Math.max(local + 1, offsets[row + 1]! - base) : local + 1;
  }
}

async function readRows(segment: SegmentFile, index: SegmentIndex, rows: number[]): Promise<string[]> {
  const handle = await open(segment.path, 'r');
  try {
    return await Promise.all(
      rows.map(async (i) => {
        const length = index.lengths[i]! - 1;
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, index.offsets[i]!);
        return buffer.toString('utf8');
      }),
    );
  } finally {
    await handle.close();
  }
}

async function readAll(segment: SegmentFile, index: SegmentIndex, rows: number[]): Promise<string[]> {
  const content = await readFile(segment.path);
  return rows.map((i) => content.toString('utf8', index.offsets[i]!, index.offsets[i]! + index.lengths[i]! - 1));
}
