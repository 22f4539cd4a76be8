// How free text meets hex digits. A search text made only of hex digits (0-9, a-f) matches inside a
// short run of hex digits (a number, a piece of a UUID, a word like "added") anywhere, but inside a
// long run (HEX_RUN or more digits: a hash or a digest) only from the run's start, as short git
// commit ids do: "3fa9c2e1" finds the hash 3fa9c2e1…, not every hash that happens to hold those digits.
// That meaning is what lets a block filter answer every hex search: per block, the hex filter holds
// the 3- and 4-digit grams of short runs and the first 4 and 8 digits of long runs. Any other text
// matches anywhere (text-index.ts indexes its other grams). Pure.

/** Runs of at least this many hex digits are hashes or digests: matched from their start. */
export const HEX_RUN = 15;

const HEX_ONLY = /^[0-9a-f]+$/;

/** True for the char codes of 0-9 and a-f (lower case: search texts and metadata are folded). */
export const isHexCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);

export function isHexText(needle: string): boolean {
  return HEX_ONLY.test(needle);
}

/** Whether the metadata text (lower case) holds the search text (lower case), by the rule above. */
export function holdsText(text: string, needle: string): boolean {
  if (!isHexText(needle)) return text.includes(needle);
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    let start = at;
    while (start > 0 && isHexCode(text.charCodeAt(start - 1))) start -= 1;
    let end = at + needle.length;
    while (end < text.length && isHexCode(text.charCodeAt(end))) end += 1;
    if (start === at || end - start < HEX_RUN) return true;
  }
  return false;
}

/** A 32-bit mix; a key sets the bits h & 0xffff and h >>> 16 of a filter (masked to its size). */
export function gramHash(key: number): number {
  let h = Math.imul(key, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}

/** A third bit, for run-start keys: one key alone must be a strong enough test. */
function thirdBit(h: number): number {
  return gramHash(h ^ 0x5bd1e995) & 0xffff;
}

/** Byte `buf[p]` with A-F folded to a-f. */
function folded(buf: Uint8Array, p: number): number {
  const c = buf[p]!;
  return c >= 65 && c <= 70 ? c | 32 : c;
}

/** The key of the first 4 (`digits` 4) or 8 digits of a long run starting at buf[p]. */
function startKey(buf: Uint8Array, p: number, digits: 4 | 8): number {
  let lo = 0;
  for (let k = 0; k < 4; k += 1) lo = (lo << 8) | folded(buf, p + k);
  if (digits === 4) return gramHash((lo ^ 0x6a09e667) >>> 0);
  let hi = 0;
  for (let k = 4; k < 8; k += 1) hi = (hi << 8) | folded(buf, p + k);
  return gramHash((gramHash(lo >>> 0) ^ hi) >>> 0);
}

/** The key of the 3- or 4-digit gram at buf[p]. */
function gramKey(buf: Uint8Array, p: number, size: 3 | 4): number {
  let key = 0;
  for (let k = 0; k < size; k += 1) key = (key << 8) | folded(buf, p + k);
  return gramHash(key >>> 0);
}

function setBit(bits: Uint32Array, bit: number): void {
  bits[bit >>> 5]! |= 1 << (bit & 31);
}

/** Adds the hex run buf[from, to) (every byte a hex digit, either case) to a full-size (2^16 bit) filter. */
export function addHexRun(bits: Uint32Array, buf: Uint8Array, from: number, to: number): void {
  if (to - from >= HEX_RUN) {
    for (const digits of [4, 8] as const) {
      const h = startKey(buf, from, digits);
      setBit(bits, h & 0xffff);
      setBit(bits, h >>> 16);
      setBit(bits, thirdBit(h));
    }
    return;
  }
  for (const size of [3, 4] as const) {
    for (let p = from; p + size <= to; p += 1) {
      const h = gramKey(buf, p, size);
      setBit(bits, h & 0xffff);
      setBit(bits, h >>> 16);
    }
  }
}

/**
 * For a search text of hex digits only (3 or more): the ways a block's hex filter can show it may
 * hold the text, each a list of bit positions that must all be set. `undefined` for any other text.
 */
export function needleHexAlternatives(needle: string): Uint32Array[] | undefined {
  if (needle.length < 3 || !isHexText(needle)) return undefined;
  const bytes = Buffer.from(needle, 'latin1');
  const alternatives: Uint32Array[] = [];
  // Inside a short run: every gram of the text (its 3-gram when it has only three digits).
  if (bytes.length < HEX_RUN) {
    const probes: number[] = [];
    const size = bytes.length === 3 ? 3 : 4;
    for (let p = 0; p + size <= bytes.length; p += 1) {
      const h = gramKey(bytes, p, size);
      probes.push(h & 0xffff, h >>> 16);
    }
    alternatives.push(Uint32Array.from(probes));
  }
  // At the start of a long run: its first 8 or 4 digits; three digits are any of 16 four-digit starts.
  const starts = bytes.length >= 4 ? [bytes] : [...'0123456789abcdef'].map((d) => Buffer.concat([bytes, Buffer.from(d, 'latin1')]));
  for (const start of starts) {
    const h = startKey(start, 0, bytes.length >= 8 ? 8 : 4);
    alternatives.push(Uint32Array.of(h & 0xffff, h >>> 16, thirdBit(h)));
  }
  return alternatives;
}
