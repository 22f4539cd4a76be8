// A column index of one segment, for fast filtered queries: per record its byte offset and length,
// seq, time, and dictionary codes for type, effect, status, client, server, tool and event. It is a
// cache: queries read the records themselves from the segment, and verification never uses it.
import type { AuditRecord, UnsealedRecord } from './record.js';

export const TYPE_CODE = { decision: 1, outcome: 2, event: 3 } as const;
export const EFFECT_CODE = { allow: 1, deny: 2 } as const;
export const STATUS_CODE = { ok: 1, error: 2, denied: 3, timeout: 4 } as const;

const MAGIC = Buffer.from('WARDEN-AUDIT-IDX-2\n');

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
    const header = Buffer.from(JSON.stringify({ count: this.count, bytes: this.bytes, dicts: Object.fromEntries(DICTS.map((d) => [d, this.dicts[d].values])) }));
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
    ];
    for (const column of columns) {
      const bytes = Buffer.from(column.buffer, column.byteOffset, column.byteLength);
      parts.push(bytes, Buffer.alloc(pad(bytes.length)));
    }
    return Buffer.concat(parts);
  }

  /** `undefined` when the bytes are not an index this version wrote. */
  static deserialize(data: Buffer): SegmentIndex | undefined {
    try {
      if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
      const headerLength = data.readUInt32LE(MAGIC.length);
      const headerStart = MAGIC.length + 4;
      const header = JSON.parse(data.toString('utf8', headerStart, headerStart + headerLength)) as { count: number; bytes: number; dicts: Record<DictName, string[]> };
      const index = new SegmentIndex();
      index.count = header.count;
      index.bytes = header.bytes;
      for (const d of DICTS) index.dicts[d] = Dict.from(header.dicts[d] ?? ['']);
      const aligned = new Uint8Array(data.length);
      aligned.set(data);
      let at = headerStart + headerLength;
      at += (8 - (at % 8)) % 8;
      const n = header.count;
      const take = (bytesPer: number) => {
        const start = at;
        at += n * bytesPer;
        at += (8 - (at % 8)) % 8;
        if (at > data.length + 8) throw new Error('short index');
        return start;
      };
      for (const c of FLOAT_COLUMNS) index[c] = new Float64Array(aligned.buffer, take(8), n).slice();
      for (const c of U32_COLUMNS) index[c] = new Uint32Array(aligned.buffer, take(4), n).slice();
      for (const c of U8_COLUMNS) index[c] = new Uint8Array(aligned.buffer, take(1), n).slice();
      if (n === 0) index.grow();
      return index;
    } catch {
      return undefined;
    }
  }

  lookup(dict: DictName, value: string): number {
    return this.dicts[dict].lookup(value);
  }
}
