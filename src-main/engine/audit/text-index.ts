// The free-text index of one segment: for each block of BLOCK_ROWS records, a Bloom filter of the
// 2-, 3- and 4-byte grams of the records' metadata text (lower case, payload fields left out). A free-text
// query reads only the blocks whose filter holds every gram of the search text; the lines it reads are
// then matched exactly, so the filter can only save work, never change an answer.
//
// Grams made only of hex digits (0-9, a-f) are neither stored nor looked up here: hashes and digests
// would fill the filters with noise. A second filter per block answers searches of hex digits only
// (hex-runs.ts). A search text of one byte, or of two hex digits, reads every block (such texts
// match nearly every record, so a page fills at once).
// Pure: the reader does the I/O.
import { addHexRun, gramHash, isHexCode } from './hex-runs.js';
import { PAYLOAD_FIELDS } from './record.js';

/** Records per block (the unit of the text filters and the block summaries). */
export const BLOCK_ROWS = 1024;

/** A filter is at most 2^16 bits (8 KiB) and at least 2^9 bits; it is folded down while it stays sparse. */
const MAX_SHIFT = 16;
const MIN_SHIFT = 9;
/** Fold a filter to half its size while fewer than this share of its bits would be set (two bits per gram). */
const TARGET_FILL = 0.3;

const PAYLOAD_MARKS = PAYLOAD_FIELDS.map((field) => Buffer.from(`"${field}":`));

/**
 * The text free-text search looks in: the line in lower case, without payload fields (captured
 * arguments, results, error messages). A line whose record has no payload field is searched as it is.
 */
export function metadataText(line: string): string {
  if (!line.includes('"args":') && !line.includes('"result":') && !line.includes('"error":')) return line.toLowerCase();
  const record = JSON.parse(line) as Record<string, unknown>;
  if (!PAYLOAD_FIELDS.some((field) => Object.hasOwn(record, field))) return line.toLowerCase();
  for (const field of PAYLOAD_FIELDS) delete record[field];
  return JSON.stringify(record).toLowerCase();
}

/** Marks a 2-byte gram's key (no 3-byte gram has high bits; a 4-byte one starting DEL NUL never occurs in text). */
const PAIR_TAG = 0x7f000000;

/**
 * The gram keys a search text must find in a block's filter, or `undefined` when the text has no gram
 * the filters hold (then every block is read). `needle` is already in lower case.
 */
export function needleKeys(needle: string): Uint32Array | undefined {
  // A lone surrogate has no UTF-8 form of its own: compare code units (read every block).
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(needle)) return undefined;
  const bytes = Buffer.from(needle, 'utf8');
  const keys: number[] = [];
  if (bytes.length === 2) {
    if (!(isHexCode(bytes[0]!) && isHexCode(bytes[1]!))) keys.push(PAIR_TAG | (bytes[0]! << 8) | bytes[1]!);
  } else if (bytes.length === 3) {
    if (!(isHexCode(bytes[0]!) && isHexCode(bytes[1]!) && isHexCode(bytes[2]!))) keys.push((bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!);
  } else {
    for (let i = 0; i + 4 <= bytes.length; i += 1) {
      const a = bytes[i]!;
      const b = bytes[i + 1]!;
      const c = bytes[i + 2]!;
      const d = bytes[i + 3]!;
      if (isHexCode(a) && isHexCode(b) && isHexCode(c) && isHexCode(d)) continue;
      keys.push(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
    }
  }
  if (keys.length === 0) return undefined;
  // Each key becomes the two bit positions it sets (16 bits each; a filter masks them to its size).
  const probes = new Uint32Array(keys.length * 2);
  for (let k = 0; k < keys.length; k += 1) {
    const h = gramHash(keys[k]!);
    probes[2 * k] = h & 0xffff;
    probes[2 * k + 1] = h >>> 16;
  }
  return probes;
}

/** Builds one block's filters (grams, and hex-run grams) from its lines. */
export class BloomBuilder {
  private readonly bits = new Uint32Array(1 << (MAX_SHIFT - 5));
  private readonly hexBits = new Uint32Array(1 << (MAX_SHIFT - 5));

  reset(): void {
    this.bits.fill(0);
    this.hexBits.fill(0);
  }

  /** Adds the grams of buf[start, end) folded to ASCII lower case; true when it held a byte >= 0x80. */
  addBytes(buf: Uint8Array, start: number, end: number): boolean {
    const bits = this.bits;
    let gram = 0;
    let run = 0; // bytes of the current gram so far
    let hex = 0; // consecutive hex digits ending here
    let high = false;
    for (let i = start; i < end; i += 1) {
      let c = buf[i]!;
      if (c >= 65 && c <= 90) c |= 32;
      else if (c >= 128) high = true;
      gram = (gram << 8) | c;
      if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) hex += 1;
      else {
        if (hex >= 3) addHexRun(this.hexBits, buf, i - hex, i);
        hex = 0;
      }
      run += 1;
      if (run >= 2 && hex < 2) {
        const h = gramHash(PAIR_TAG | (gram & 0xffff));
        bits[(h & 0xffff) >>> 5]! |= 1 << (h & 31);
        bits[(h >>> 21) & 0x7ff]! |= 1 << ((h >>> 16) & 31);
      }
      if (run >= 3 && hex < 3) {
        let h = Math.imul(gram & 0xffffff, 0x9e3779b1);
        h ^= h >>> 15;
        h = Math.imul(h, 0x85ebca77);
        h ^= h >>> 13;
        bits[(h & 0xffff) >>> 5]! |= 1 << (h & 31);
        bits[(h >>> 21) & 0x7ff]! |= 1 << ((h >>> 16) & 31);
      }
      if (run >= 4 && hex < 4) {
        let h = Math.imul(gram, 0x9e3779b1);
        h ^= h >>> 15;
        h = Math.imul(h, 0x85ebca77);
        h ^= h >>> 13;
        bits[(h & 0xffff) >>> 5]! |= 1 << (h & 31);
        bits[(h >>> 21) & 0x7ff]! |= 1 << ((h >>> 16) & 31);
      }
    }
    if (hex >= 3) addHexRun(this.hexBits, buf, end - hex, end);
    return high;
  }

  /** Adds the grams of one record line (buf[start, end), no newline). */
  addLine(buf: Buffer, start: number, end: number, hasPayloadMark: boolean): void {
    if (!hasPayloadMark) {
      if (!this.addBytes(buf, start, end)) return;
    }
    // A payload to leave out, or characters whose lower case JavaScript decides: index the exact text.
    let text: string;
    try {
      text = metadataText(buf.toString('utf8', start, end));
    } catch {
      this.addBytes(buf, start, end); // not JSON: every gram of the line, so nothing is missed
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    this.addBytes(bytes, 0, bytes.length);
  }

  /** The finished gram filter, folded while sparse (its length is a power of two). */
  finish(): Uint32Array {
    return foldDown(this.bits);
  }

  /** The finished hex filter (hex-runs.ts). */
  finishHex(): Uint32Array {
    return foldDown(this.hexBits);
  }
}

/** A copy of a full-size filter, halved (OR of its halves) while it stays sparse. */
function foldDown(bits: Uint32Array): Uint32Array {
  let words = bits;
  let shift = MAX_SHIFT;
  while (shift > MIN_SHIFT) {
    const half = words.length >>> 1;
    const folded = new Uint32Array(half);
    let set = 0;
    for (let i = 0; i < half; i += 1) {
      folded[i] = words[i]! | words[i + half]!;
      set += popcount(folded[i]!);
    }
    if (set > TARGET_FILL * half * 32) break;
    words = folded;
    shift -= 1;
  }
  return words === bits ? words.slice() : words;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Marks, in `marks` (one per row of the block), the rows whose line holds a payload field name. */
export function markPayloadRows(buf: Buffer, base: number, offsets: Float64Array, lengths: Uint32Array, first: number, end: number, marks: Uint8Array): void {
  const from = offsets[first]! - base;
  const view = buf.subarray(from, offsets[end - 1]! + lengths[end - 1]! - base);
  for (const mark of PAYLOAD_MARKS) {
    let at = 0;
    let row = first;
    for (;;) {
      const hit = view.indexOf(mark, at);
      if (hit < 0) break;
      while (row + 1 < end && offsets[row + 1]! - base - from <= hit) row += 1;
      marks[row - first] = 1;
      if (row + 1 >= end) break;
      at = offsets[row + 1]! - base - from;
    }
  }
}

/** The text filters of one segment's complete blocks; a block's filter is made when a reader first needs it. */
export class TextIndex {
  /** Per block: its filter's words (2^shift bits), or undefined while not built. */
  private filters: (Uint32Array | undefined)[] = [];

  has(b: number): boolean {
    return this.filters[b] !== undefined;
  }

  /** How many blocks have a filter. */
  get built(): number {
    let n = 0;
    for (const f of this.filters) if (f) n += 1;
    return n;
  }

  set(b: number, words: Uint32Array): void {
    this.filters[b] = words;
  }

  /** False only when block `b`'s filter proves no line of it holds all the probed grams. */
  mayContain(b: number, probes: Uint32Array): boolean {
    const words = this.filters[b];
    if (!words) return true;
    const mask = words.length * 32 - 1;
    for (let i = 0; i < probes.length; i += 1) {
      const bit = probes[i]! & mask;
      if ((words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** False only when, for every alternative, block `b`'s filter lacks one of its probes. */
  mayContainAny(b: number, alternatives: Uint32Array[]): boolean {
    for (const probes of alternatives) if (this.mayContain(b, probes)) return true;
    return false;
  }

  /** The sidecar form of the first `blocks` blocks: a shift per block (0: none) and the filters' words in order. */
  parts(blocks: number): { shifts: Uint8Array; words: Uint32Array } {
    const shifts = new Uint8Array(blocks);
    let total = 0;
    for (let b = 0; b < blocks; b += 1) {
      const f = this.filters[b];
      if (f) {
        shifts[b] = Math.log2(f.length * 32);
        total += f.length;
      }
    }
    const words = new Uint32Array(total);
    let at = 0;
    for (let b = 0; b < blocks; b += 1) {
      const f = this.filters[b];
      if (f) {
        words.set(f, at);
        at += f.length;
      }
    }
    return { shifts, words };
  }

  static from(shifts: Uint8Array, words: Uint32Array): TextIndex {
    const index = new TextIndex();
    let at = 0;
    for (let b = 0; b < shifts.length; b += 1) {
      const shift = shifts[b]!;
      if (shift === 0) continue;
      if (shift < MIN_SHIFT || shift > MAX_SHIFT) throw new Error('bad text index');
      const size = 1 << (shift - 5);
      if (at + size > words.length) throw new Error('bad text index');
      index.filters[b] = words.subarray(at, at + size);
      at += size;
    }
    if (at !== words.length) throw new Error('bad text index');
    return index;
  }
}
