// Per-block summaries of a segment's column index, so a query skips blocks of BLOCK_ROWS records that
// cannot match: the time and seq range of each block, and (made on first use of a value, then kept)
// which blocks hold a given client, server, tool, event, type, effect or status code. Only complete
// blocks are summarised; the last, growing block is always looked at row by row. Derived from the
// columns in memory (never stored); pure.
import { BLOCK_ROWS } from './text-index.js';

/** The columns a block can be asked about, each an array of codes per row. */
export type CodeColumn = Uint32Array | Uint8Array;

export class BlockIndex {
  /** Complete blocks whose time and seq ranges are known (computed when a query first needs them). */
  ranged = 0;
  timeMin = new Float64Array(16);
  timeMax = new Float64Array(16);
  seqMin = new Float64Array(16);
  seqMax = new Float64Array(16);
  /** For a column and code (`server:3`): one flag per complete block, and how many blocks the flags cover. */
  private readonly codes = new Map<string, { flags: Uint8Array; blocks: number }>();

  /** Computes the time and seq ranges of the blocks completed since the last call. */
  updateRanges(count: number, times: Float64Array, seqs: Float64Array): void {
    const complete = Math.floor(count / BLOCK_ROWS);
    if (complete <= this.ranged) return;
    if (complete > this.timeMin.length) {
      const size = Math.max(complete, this.timeMin.length * 2);
      for (const name of ['timeMin', 'timeMax', 'seqMin', 'seqMax'] as const) {
        const next = new Float64Array(size);
        next.set(this[name]);
        this[name] = next;
      }
    }
    for (let b = this.ranged; b < complete; b += 1) {
      let tMin = Infinity;
      let tMax = -Infinity;
      let sMin = Infinity;
      let sMax = -Infinity;
      for (let i = b * BLOCK_ROWS, end = i + BLOCK_ROWS; i < end; i += 1) {
        const t = times[i]!;
        const s = seqs[i]!;
        if (t !== t) {
          // A row without a readable time (or seq) passes those filters row by row: never skip its block.
          tMin = -Infinity;
          tMax = Infinity;
        }
        if (t < tMin) tMin = t;
        if (t > tMax) tMax = t;
        if (s !== s) {
          sMin = -Infinity;
          sMax = Infinity;
        }
        if (s < sMin) sMin = s;
        if (s > sMax) sMax = s;
      }
      this.timeMin[b] = tMin;
      this.timeMax[b] = tMax;
      this.seqMin[b] = sMin;
      this.seqMax[b] = sMax;
    }
    this.ranged = complete;
  }

  /**
   * Whether complete block `b` (of `complete` so far) holds a row with `code` in `column`; the flags
   * are made on first use and extended as blocks complete.
   */
  holds(name: string, column: CodeColumn, code: number, b: number, complete: number): boolean {
    const key = `${name}:${code}`;
    let entry = this.codes.get(key);
    if (!entry) {
      entry = { flags: new Uint8Array(Math.max(16, complete)), blocks: 0 };
      this.codes.set(key, entry);
    }
    if (entry.blocks < complete) {
      if (entry.flags.length < complete) {
        const flags = new Uint8Array(Math.max(complete, entry.flags.length * 2));
        flags.set(entry.flags);
        entry.flags = flags;
      }
      for (let blk = entry.blocks; blk < complete; blk += 1) {
        let found = 0;
        for (let i = blk * BLOCK_ROWS, end = i + BLOCK_ROWS; i < end; i += 1) {
          if (column[i] === code) {
            found = 1;
            break;
          }
        }
        entry.flags[blk] = found;
      }
      entry.blocks = complete;
    }
    return entry.flags[b] === 1;
  }
}
