// Reading the audit log: filtered, paginated queries (newest first by default) and ordered record
// streams for export and tail. Uses each segment's column index (kept by the writer for the active
// segment, read from the `.idx` sidecar otherwise, extended or rebuilt from the segment file when
// stale), skips whole blocks that the block summaries or text filters rule out, then reads only the
// lines it needs; free text is always matched exactly on the lines read. Safe while an engine is
// appending: only complete lines are read.
import { isAscii } from 'node:buffer';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import type { CallStatus } from '../../../shared/words.js';
import type { AuditRecord } from './record.js';
import { callIdHash, EFFECT_CODE, SegmentIndex, STATUS_CODE, TYPE_CODE } from './segment-index.js';
import { indexPathOf, listSegments, type SegmentFile } from './segments.js';
import { loadSidecar, saveSidecar } from './sidecar.js';
import { holdsText, needleHexAlternatives } from './hex-runs.js';
import { BLOCK_ROWS, BloomBuilder, markPayloadRows, metadataText, needleKeys } from './text-index.js';
import { parseRange } from './time.js';

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

/** A rejected block or row costs nothing more; a block read for free text is folded here. */
interface TextSearch {
  /** The search text in lower case. */
  needle: string;
  needleBytes: Buffer;
  /** Bit positions its grams must find in a block's filter; absent when no filter can help. */
  probes: Uint32Array | undefined;
  /** For a text of hex digits only: the hex filter's probes, per way a block may hold it (hex-runs.ts). */
  hexAlternatives: Uint32Array[] | undefined;
  /** This query's buffers for a block's bytes, as read and folded (queries may run at the same time). */
  raw: Buffer;
  folded: Buffer;
  /** Segments (not the engine's live one) whose text filters this query built: their sidecars are written after it. */
  built: Set<string>;
}

/** How many segments ahead a query starts loading indexes (see queryOnce). */
const PREFETCH = 2;

export class AuditReader {
  private readonly cache = new Map<string, SegmentIndex>();
  /** Bumped whenever the cache is emptied: a load that started before (a prefetch) does not refill it. */
  private generation = 0;
  /** Index sidecars are a cache; while a query is retried because a line did not parse where an index said it was, they are not trusted. */
  private trustSidecars = true;
  private readonly loading = new Map<string, Promise<SegmentIndex>>();
  private readonly builder = new BloomBuilder();

  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly dir: string,
    private readonly live?: () => LiveSegment | undefined,
    /**
     * The indexes of segments other than the live one are let go after this long without a query, so
     * an idle engine does not keep a large log's indexes (about 60 bytes a record) in memory; the next
     * query loads them again from the sidecars.
     */
    private readonly keepIndexesMs = 120_000,
  ) {}

  /** Lets go of the cached indexes now (also done after `keepIndexesMs` without a query). */
  release(): void {
    this.clearCache();
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private clearCache(): void {
    this.cache.clear();
    this.generation += 1;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.clearCache(), this.keepIndexesMs);
    this.idleTimer.unref();
  }

  /**
   * The index of one segment, current up to the last complete line on disk. A sealed segment's index
   * that had to be rebuilt or extended is written back to its sidecar for the next reader.
   */
  async indexOf(segment: SegmentFile, sealed = false): Promise<SegmentIndex> {
    const live = this.live?.();
    if (live && live.segment.name === segment.name) return live.index;
    // One load at a time per segment: two queries must not both append the same new lines.
    const run = (this.loading.get(segment.name) ?? Promise.resolve()).catch(() => undefined).then(() => this.load(segment, sealed));
    this.loading.set(segment.name, run);
    try {
      return await run;
    } finally {
      if (this.loading.get(segment.name) === run) this.loading.delete(segment.name);
    }
  }

  private async load(segment: SegmentFile, sealed: boolean): Promise<SegmentIndex> {
    const generation = this.generation;
    let index = this.cache.get(segment.name);
    if (!index) {
      if (this.trustSidecars) index = await loadSidecar(segment);
      index ??= new SegmentIndex();
    }
    const size = (await stat(segment.path)).size;
    if (size < index.bytes) index = new SegmentIndex();
    if (size > index.bytes) {
      const rowsBefore = index.count;
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
        // A sealed segment's lines are in memory: build its text filters now, for the sidecar.
        if (sealed) for (let b = 0; b < index.completeBlocks; b += 1) if (!index.text.has(b)) index.buildTextBlock(b, content, base, this.builder);
      } finally {
        await handle.close();
      }
      // Sealed: for good. Active (a reader beside a running engine, or none): once a block's worth of
      // lines was added, so the next reader (the CLI) only reads what came after. The writer replaces
      // it when it seals the segment.
      if (sealed || index.count - rowsBefore >= BLOCK_ROWS) await saveSidecar(segment, index);
    }
    if (generation === this.generation) this.cache.set(segment.name, index);
    return index;
  }

  async query(query: AuditQuery = {}, now = Date.now()): Promise<AuditPage> {
    this.touch();
    try {
      return await this.queryOnce(query, now);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // A segment changed under its index (edited by hand, or a stale sidecar): rebuild from the files
      // (the rebuilt indexes replace the sidecars, which are trusted again afterwards).
      this.clearCache();
      this.trustSidecars = false;
      try {
        return await this.queryOnce(query, now);
      } finally {
        this.trustSidecars = true;
      }
    }
  }

  private async queryOnce(query: AuditQuery, now: number): Promise<AuditPage> {
    const limit = Math.min(1000, Math.max(1, Math.floor(query.limit ?? 50)));
    const newest = (query.order ?? 'newest') === 'newest';
    const { since, until } = parseRange(query, now);
    const before = query.before ?? Infinity;
    const after = query.after ?? -Infinity;
    const type = query.event ? TYPE_CODE.event : query.type ? TYPE_CODE[query.type] : 0;
    const effect = query.effect ? EFFECT_CODE[query.effect] : 0;
    const status = query.status ? STATUS_CODE[query.status] : 0;
    const needle = query.text?.trim() ? query.text.trim().toLowerCase() : undefined;
    const search: TextSearch | undefined = needle !== undefined ? { needle, needleBytes: Buffer.from(needle, 'utf8'), probes: needleKeys(needle), hexAlternatives: needleHexAlternatives(needle), raw: Buffer.alloc(0), folded: Buffer.alloc(0), built: new Set() } : undefined;
    const callHash = query.callId !== undefined ? callIdHash(query.callId) : undefined;
    const callMark = query.callId !== undefined ? `"callId":${JSON.stringify(query.callId)}` : undefined;

    const segments = await listSegments(this.dir);
    const lastName = segments[segments.length - 1]?.name;
    const found: AuditRecord[] = [];
    let scanned = 0;
    let more = false;
    /** Takes one matching line; false once the page is full and one more match is known to exist. */
    const take = (line: string): boolean => {
      if (found.length === limit) {
        more = true;
        return false;
      }
      found.push(JSON.parse(line) as AuditRecord);
      return true;
    };

    const nth = (k: number) => segments[newest ? segments.length - 1 - k : k]!;
    for (let k = 0; k < segments.length && !more; k += 1) {
      const segment = nth(k);
      const sealed = segment.name !== lastName;
      // A reader that has not loaded them yet (the CLI) reads the next segments' indexes while it
      // works on this one: their reads overlap instead of following one another.
      for (let ahead = k + 1; ahead <= k + PREFETCH && ahead < segments.length; ahead += 1) {
        const next = nth(ahead);
        if (!this.cache.has(next.name)) this.indexOf(next, next.name !== lastName).catch(() => undefined);
      }
      let index: SegmentIndex;
      try {
        index = await this.indexOf(segment, sealed);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed by retention meanwhile
        throw error;
      }
      // A live index grows while this runs: look at the rows it had now.
      const n = index.count;
      if (n === 0) continue;
      if (index.seqs[0]! >= before || index.seqs[n - 1]! <= after) continue;
      const server = query.server !== undefined ? index.lookup('server', query.server) : 0;
      const tool = query.tool !== undefined ? index.lookup('tool', query.tool) : 0;
      const event = query.event !== undefined ? index.lookup('event', query.event) : 0;
      const clientId = query.client !== undefined ? index.lookup('client', query.client) : 0;
      const clientName = query.client !== undefined ? index.lookup('clientName', query.client) : 0;
      if (server < 0 || tool < 0 || event < 0 || (clientId < 0 && clientName < 0)) continue;
      const summary = index.blocks;
      const complete = Math.floor(n / BLOCK_ROWS);
      const ranged = since > -Infinity || until < Infinity || before < Infinity || after > -Infinity;
      if (ranged) summary.updateRanges(n, index.times, index.seqs);
      const blockCount = Math.ceil(n / BLOCK_ROWS);
      // Opened on the first block read for free text, closed after the segment.
      const file: { handle?: FileHandle } = {};
      try {
        for (let kb = 0; kb < blockCount && !more; kb += 1) {
          const b = newest ? blockCount - 1 - kb : kb;
          const first = b * BLOCK_ROWS;
          const end = Math.min(n, first + BLOCK_ROWS);
          if (b < complete) {
            // A complete block: skip it whole when its summary rules it out.
            if (ranged && (summary.timeMax[b]! < since || summary.timeMin[b]! > until || summary.seqMin[b]! >= before || summary.seqMax[b]! <= after)) continue;
            if (type && !summary.holds('type', index.types, type, b, complete)) continue;
            if (effect && !summary.holds('effect', index.effects, effect, b, complete)) continue;
            if (status && !summary.holds('status', index.statuses, status, b, complete)) continue;
            if (server && !summary.holds('server', index.servers, server, b, complete)) continue;
            if (tool && !summary.holds('tool', index.tools, tool, b, complete)) continue;
            if (event && !summary.holds('event', index.events, event, b, complete)) continue;
            if (query.client !== undefined && !(clientId > 0 && summary.holds('client', index.clients, clientId, b, complete)) && !(clientName > 0 && summary.holds('clientName', index.clientNames, clientName, b, complete))) continue;
            if (search?.probes && !index.text.mayContain(b, search.probes)) continue;
            if (search?.hexAlternatives && index.hex.has(b) && !index.hex.mayContainAny(b, search.hexAlternatives)) continue;
            if (callHash !== undefined && index.calls.subarray(first, end).indexOf(callHash) < 0) continue;
          }
          // The rows of the block that pass every column filter, in page order.
          const rows: number[] = [];
          const { seqs, times, types, effects, statuses, servers, tools, events, clients, clientNames, calls } = index;
          for (let r = 0; r < end - first; r += 1) {
            const i = newest ? end - 1 - r : first + r;
            const seq = seqs[i]!;
            if (seq >= before || seq <= after) continue;
            const time = times[i]!;
            if (time < since || time > until) continue;
            if (type && types[i] !== type) continue;
            if (effect && effects[i] !== effect) continue;
            if (status && statuses[i] !== status) continue;
            if (server && servers[i] !== server) continue;
            if (tool && tools[i] !== tool) continue;
            if (event && events[i] !== event) continue;
            if (query.client !== undefined && clients[i] !== clientId && clientNames[i] !== clientName) continue;
            if (callHash !== undefined && calls[i] !== callHash) continue;
            rows.push(i);
          }
          scanned += end - first;
          if (rows.length === 0) continue;

          if (search) {
            file.handle ??= await open(segment.path, 'r');
            // Enough for the page and one more (a call id is checked after), unless a call id is asked for.
            const want = callMark === undefined ? limit - found.length + 1 : Infinity;
            const lines = await this.searchBlock(file.handle, segment, index, first, end, rows, search, want);
            for (const line of lines) {
              if (callMark !== undefined && !line.includes(callMark)) continue;
              if (!take(line)) break;
            }
            continue;
          }
          // Column filters are exact (a call id is checked in its line, the index keeps only its hash):
          // read the lines the page still needs, plus one to know whether there is more.
          for (let r = 0; r < rows.length && !more; ) {
            const batch = rows.slice(r, r + limit - found.length + 1);
            r += batch.length;
            if (callMark === undefined && found.length + batch.length > limit) {
              batch.pop();
              more = true;
            }
            for (const line of await readRows(segment, index, batch)) {
              if (callMark !== undefined && !line.includes(callMark)) continue;
              if (!take(line)) break;
            }
          }
        }
      } finally {
        await file.handle?.close();
      }
    }
    for (const name of search?.built ?? []) {
      const segment = segments.find((x) => x.name === name);
      const index = this.cache.get(name);
      if (segment && index) await saveSidecar(segment, index);
    }
    const page: AuditPage = { records: found, scanned };
    if (more) page.nextCursor = found[found.length - 1]!.seq;
    return page;
  }

  /**
   * The lines of `rows` (rows of the block [first, end), in page order) whose metadata holds the search
   * text, at most `want` of them. Reads the block once (and builds its text filter if it is complete and has none); only lines
   * that hold the text's bytes in any case, or whose lower case or payload fields need a closer look,
   * are decoded and matched exactly.
   */
  private async searchBlock(handle: FileHandle, segment: SegmentFile, index: SegmentIndex, first: number, end: number, rows: number[], search: TextSearch, want: number): Promise<string[]> {
    const from = index.offsets[first]!;
    const to = index.offsets[end - 1]! + index.lengths[end - 1]!;
    const length = to - from;
    if (search.raw.length < length) {
      // Word-aligned (foldAscii reads four bytes at a time).
      const size = Math.max(length, search.raw.length * 2) + 4;
      search.raw = Buffer.from(new ArrayBuffer(size));
      search.folded = Buffer.from(new ArrayBuffer(size));
    }
    const raw = search.raw.subarray(0, length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(raw, got, length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < length) throw new SyntaxError(`${segment.name} is shorter than its index`);
    const b = first / BLOCK_ROWS;
    if (end - first === BLOCK_ROWS && !index.text.has(b) && index.buildTextBlock(b, raw, from, this.builder)) {
      search.built.add(segment.name);
      if (search.probes && !index.text.mayContain(b, search.probes)) return [];
      if (search.hexAlternatives && !index.hex.mayContainAny(b, search.hexAlternatives)) return [];
    }
    const { offsets, lengths } = index;
    // Per row: 1 when its bytes (ASCII letters folded) hold the text, 2 when it has a byte >= 0x80
    // (JavaScript decides its lower case), 4 when it holds a payload field name.
    const marks = new Uint8Array(end - first);
    if (!isAscii(raw)) {
      for (let i = first; i < end; i += 1) {
        const start = offsets[i]! - from;
        if (!isAscii(raw.subarray(start, start + lengths[i]!))) marks[i - first] = 2;
      }
    }
    // Without its payload fields a line's text closes up (`..."low","hash"...`): only a text with a
    // comma can span such a seam, so only then are lines with payloads matched exactly, whatever their bytes.
    if (search.needle.includes(',')) {
      const payload = new Uint8Array(end - first);
      markPayloadRows(raw, from, offsets, lengths, first, end, payload);
      for (let r = 0; r < payload.length; r += 1) if (payload[r]) marks[r]! |= 4;
    }
    const folded = foldAscii(raw, search.folded);
    const needle = search.needleBytes;
    let row = first;
    let at = 0;
    for (;;) {
      const hit = folded.indexOf(needle, at);
      if (hit < 0) break;
      while (row + 1 < end && offsets[row + 1]! - from <= hit) row += 1;
      marks[row - first]! |= 1;
      if (row + 1 >= end) break;
      at = offsets[row + 1]! - from;
    }
    const lines: string[] = [];
    for (const i of rows) {
      if (marks[i - first] === 0) continue;
      const start = offsets[i]! - from;
      const line = raw.toString('utf8', start, start + lengths[i]! - 1);
      if (holdsText(metadataText(line), search.needle) && lines.push(line) === want) break;
    }
    return lines;
  }

  /** Every record line with a time in [since, until], in chain order (for export). */
  async *lines(range: { since?: string | number; until?: string | number } = {}, now = Date.now()): AsyncGenerator<string> {
    this.touch();
    const { since, until } = parseRange(range, now);
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

/**
 * `src` with ASCII letters folded to lower case, in `into` (both word-aligned, `into` at least as
 * long): four bytes at a time, bytes >= 0x80 left as they are.
 */
function foldAscii(src: Buffer, into: Buffer): Buffer {
  const length = src.length;
  const words = length >>> 2;
  const from = new Uint32Array(src.buffer, src.byteOffset, words);
  const to = new Uint32Array(into.buffer, into.byteOffset, words);
  for (let i = 0; i < words; i += 1) {
    const x = from[i]!;
    const low = x & 0x7f7f7f7f;
    // Bit 7 of each byte: set when the byte is 'A'..'Z' (at least 'A', below '[', and itself ASCII).
    const upper = (low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~x & 0x80808080;
    to[i] = x | (upper >>> 2);
  }
  for (let i = words * 4; i < length; i += 1) {
    const c = src[i]!;
    into[i] = c >= 65 && c <= 90 ? c | 32 : c;
  }
  return into.subarray(0, length);
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
