// A column index of one segment, for fast filtered queries: per record its byte offset and length,
// seq, time, and dictionary codes for type, effect, status, client, server, tool and event; per block
// of records a free-text filter (text-index.ts) and, in memory only, block summaries (block-index.ts).
// It is a cache: queries read the records themselves from the segment, and verification never uses it.
import { BlockIndex } from './block-index.js';
import type { AuditRecord, UnsealedRecord } from './record.js';
import { BLOCK_ROWS, BloomBuilder, markPayloadRows, TextIndex } from './text-index.js';

export const TYPE_CODE = { decision: 1, outcome: 2, event: 3 } as const;
export const EFFECT_CODE = { allow: 1, deny: 2 } as const;
// Codes are only ever added: an index written before a code existed holds none of it.
export const STATUS_CODE = { ok: 1, error: 2, denied: 3, timeout: 4, cancelled: 5 } as const;

// Version 3 added the free-text filters, 6 the hex-run filters (4 and 5 were drafts of them), 7 gave
// the hex filter its present meaning (hex-runs.ts); an index of another version is rebuilt from the segment.
const MAGIC = Buffer.from('WARDEN-AUDIT-IDX-7\n');

/** FNV-1a (32 bit) of a call id: the index keeps this, so a call's records are found without a scan. */
export function callIdHash(callId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < callId.length; i += 1) {
    h ^= callId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Dict {
  readonly values: string[] = [''];
  private readonly codes = new Map<string, number>();
  code(value: unknown): number {
    if (typeof value !== 'string' || value === '') return 0;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
  /** The code of a value, or -1 when this segment never saw it. */
  lookup(value: string): number {
    return this.codes.get(value) ?? -1;
  }
  static from(values: string[]): Dict {
    const dict = new Dict();
    for (let i = 1; i < values.length; i += 1) dict.code(values[i]);
    return dict;
  }
}

const FLOAT_COLUMNS = ['offsets', 'seqs', 'times'] as const;
const U32_COLUMNS = ['lengths', 'clients', 'clientNames', 'servers', 'tools', 'events', 'calls'] as const;
const U8_COLUMNS = ['types', 'effects', 'statuses'] as const;
const DICTS = ['client', 'clientName', 'server', 'tool', 'event'] as const;
type DictName = (typeof DICTS)[number];

export class SegmentIndex {
  count = 0;
  /** How many bytes of the segment file this index covers. */
  bytes = 0;
  offsets = new Float64Array(1024);
  seqs = new Float64Array(1024);
  times = new Float64Array(1024);
  lengths = new Uint32Array(1024);
  clients = new Uint32Array(1024);
  clientNames = new Uint32Array(1024);
  servers = new Uint32Array(1024);
  tools = new Uint32Array(1024);
  events = new Uint32Array(1024);
  calls = new Uint32Array(1024);
  types = new Uint8Array(1024);
  effects = new Uint8Array(1024);
  statuses = new Uint8Array(1024);
  dicts: Record<DictName, Dict> = { client: new Dict(), clientName: new Dict(), server: new Dict(), tool: new Dict(), event: new Dict() };
  /** Free-text filters of complete blocks (built by readers when first needed, kept in the sidecar). */
  text = new TextIndex();
  /** Hex-run filters of the same blocks (built with `text`, block by block). */
  hex = new TextIndex();
  /** Block summaries (in memory only, made by queries). */
  readonly blocks = new BlockIndex();

  private grow(): void {
    const size = Math.max(1024, this.offsets.length * 2);
    for (const name of FLOAT_COLUMNS) {
      const next = new Float64Array(size);
      next.set(this[name]);
      this[name] = next;
    }
    for (const name of U32_COLUMNS) {
      const next = new Uint32Array(size);
      next.set(this[name]);
      this[name] = next;
    }
    for (const name of U8_COLUMNS) {
      const next = new Uint8Array(size);
      next.set(this[name]);
      this[name] = next;
    }
  }

  /** Adds a record found at `offset` (its line is `length` bytes, newline included). */
  add(record: AuditRecord | UnsealedRecord, offset: number, length: number, seq = (record as AuditRecord).seq): void {
    if (this.count === this.offsets.length) this.grow();
    const i = this.count;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.seqs[i] = seq;
    this.times[i] = Date.parse(record.time);
    this.types[i] = TYPE_CODE[record.type] ?? 0;
    if (record.type === 'event') {
      const data = record.data ?? {};
      this.events[i] = this.dicts.event.code(record.event);
      this.servers[i] = this.dicts.server.code(data.server);
      this.tools[i] = this.dicts.tool.code(data.tool);
      this.clients[i] = this.dicts.client.code(data.client);
      this.effects[i] = 0;
      this.statuses[i] = 0;
      this.clientNames[i] = 0;
      this.calls[i] = typeof data.callId === 'string' ? callIdHash(data.callId) : 0;
    } else {
      this.calls[i] = callIdHash(record.callId);
      this.events[i] = 0;
      this.servers[i] = this.dicts.server.code(record.server);
      this.tools[i] = this.dicts.tool.code(record.tool);
      this.clients[i] = this.dicts.client.code(record.client?.id);
      this.clientNames[i] = this.dicts.clientName.code(record.client?.name);
      this.effects[i] = EFFECT_CODE[record.effect] ?? 0;
      this.statuses[i] = record.status ? (STATUS_CODE[record.status] ?? 0) : 0;
    }
    this.count += 1;
    this.bytes = offset + length;
  }

  /** Builds the index of a segment's complete lines (a torn last line is left out). */
  static build(content: Buffer, onBadLine?: (offset: number) => void): SegmentIndex {
    const index = new SegmentIndex();
    let start = 0;
    for (;;) {
      const end = content.indexOf(10, start);
      if (end < 0) break;
      if (end > start) {
        try {
          index.add(JSON.parse(content.toString('utf8', start, end)) as AuditRecord, start, end + 1 - start);
        } catch {
          onBadLine?.(start);
          index.bytes = end + 1;
        }
      }
      start = end + 1;
    }
    return index;
  }

  serialize(): Buffer {
    const text = this.text.parts(this.completeBlocks);
    const hex = this.hex.parts(this.completeBlocks);
    const header = Buffer.from(
      JSON.stringify({
        count: this.count,
        bytes: this.bytes,
        dicts: Object.fromEntries(DICTS.map((d) => [d, this.dicts[d].values])),
        textWords: text.words.length,
        hexWords: hex.words.length,
      }),
    );
    const parts: Buffer[] = [MAGIC, Buffer.alloc(4), header];
    parts[1]!.writeUInt32LE(header.length);
    const pad = (len: number) => (8 - (len % 8)) % 8;
    let length = MAGIC.length + 4 + header.length;
    parts.push(Buffer.alloc(pad(length)));
    length += pad(length);
    const columns = [
      ...FLOAT_COLUMNS.map((c) => this[c].subarray(0, this.count)),
      ...U32_COLUMNS.map((c) => this[c].subarray(0, this.count)),
      ...U8_COLUMNS.map((c) => this[c].subarray(0, this.count)),
      text.shifts,
      text.words,
      hex.shifts,
      hex.words,
    ];
    for (const column of columns) {
      const bytes = Buffer.from(column.buffer, column.byteOffset, column.byteLength);
      parts.push(bytes, Buffer.alloc(pad(bytes.length)));
    }
    return Buffer.concat(parts);
  }

  /** `undefined` when the bytes are not an index this version wrote (or are cut short). */
  static deserialize(data: Buffer): SegmentIndex | undefined {
    try {
      if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
      const headerLength = data.readUInt32LE(MAGIC.length);
      const headerStart = MAGIC.length + 4;
      const header = JSON.parse(data.toString('utf8', headerStart, headerStart + headerLength)) as {
        count: number;
        bytes: number;
        dicts: Record<DictName, string[]>;
        textWords: number;
        hexWords: number;
      };
      const n = header.count;
      if (!Number.isInteger(n) || n < 0 || !Number.isInteger(header.bytes) || !Number.isInteger(header.textWords) || header.textWords < 0 || !Number.isInteger(header.hexWords) || header.hexWords < 0) return undefined;
      const index = new SegmentIndex();
      index.count = n;
      index.bytes = header.bytes;
      for (const d of DICTS) index.dicts[d] = Dict.from(header.dicts[d] ?? ['']);
      // Views into one 8-byte-aligned copy of the file (columns start on 8-byte boundaries).
      const aligned = data.byteOffset % 8 === 0 ? data : Buffer.from(data);
      const buffer = aligned.buffer as ArrayBuffer;
      let at = headerStart + headerLength;
      at += (8 - (at % 8)) % 8;
      const take = (items: number, bytesPer: number) => {
        const start = aligned.byteOffset + at;
        at += items * bytesPer;
        at += (8 - (at % 8)) % 8;
        if (at > data.length) throw new Error('short index');
        return start;
      };
      for (const c of FLOAT_COLUMNS) index[c] = new Float64Array(buffer, take(n, 8), n);
      for (const c of U32_COLUMNS) index[c] = new Uint32Array(buffer, take(n, 4), n);
      for (const c of U8_COLUMNS) index[c] = new Uint8Array(buffer, take(n, 1), n);
      const blocks = Math.floor(n / BLOCK_ROWS);
      const shifts = new Uint8Array(buffer, take(blocks, 1), blocks);
      const words = new Uint32Array(buffer, take(header.textWords, 4), header.textWords);
      const hexShifts = new Uint8Array(buffer, take(blocks, 1), blocks);
      const hexWords = new Uint32Array(buffer, take(header.hexWords, 4), header.hexWords);
      if (at !== data.length) return undefined;
      index.text = TextIndex.from(shifts, words);
      index.hex = TextIndex.from(hexShifts, hexWords);
      for (let b = 0; b < blocks; b += 1) if (index.text.has(b) !== index.hex.has(b)) return undefined;
      if (n === 0) index.grow();
      for (let i = 1; i < n; i += 1) {
        if (!(index.offsets[i]! >= index.offsets[i - 1]! + index.lengths[i - 1]!)) return undefined;
      }
      if (n > 0 && index.offsets[n - 1]! + index.lengths[n - 1]! > index.bytes) return undefined;
      return index;
    } catch {
      return undefined;
    }
  }

  /** Rows of complete blocks (the ones that get text filters and summaries). */
  get completeBlocks(): number {
    return Math.floor(this.count / BLOCK_ROWS);
  }

  /** Bytes [from, to) of the segment holding block `b`'s lines. */
  blockBytes(b: number): { from: number; to: number } {
    const first = b * BLOCK_ROWS;
    const last = Math.min(this.count, first + BLOCK_ROWS) - 1;
    return { from: this.offsets[first]!, to: this.offsets[last]! + this.lengths[last]! };
  }

  /**
   * Builds the text filter of complete block `b` from its lines in `buf` (which holds bytes `base`.. of
   * the segment). False when `buf` does not hold the whole block.
   */
  buildTextBlock(b: number, buf: Buffer, base: number, builder: BloomBuilder): boolean {
    const { from, to } = this.blockBytes(b);
    if (b >= this.completeBlocks || from < base || to > base + buf.length) return false;
    const first = b * BLOCK_ROWS;
    const end = first + BLOCK_ROWS;
    const marks = new Uint8Array(BLOCK_ROWS);
    markPayloadRows(buf, base, this.offsets, this.lengths, first, end, marks);
    builder.reset();
    for (let i = first; i < end; i += 1) {
      const start = this.offsets[i]! - base;
      builder.addLine(buf, start, start + this.lengths[i]! - 1, marks[i - first] === 1);
    }
    this.hex.set(b, builder.finishHex());
    this.text.set(b, builder.finish());
    return true;
  }

  lookup(dict: DictName, value: string): number {
    return this.dicts[dict].lookup(value);
  }
}
