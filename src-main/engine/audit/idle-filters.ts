// Builds the free-text filters of the active segment's complete blocks while the log is quiet, one
// block at a time, so that the first search after a busy day does not build them all at once and a
// segment's sidecar carries them when it is sealed. A cache only: a block left unbuilt (a burst that
// never paused, a read that failed) is built by the first query that reads it.
import { open } from 'node:fs/promises';
import type { SegmentIndex } from './segment-index.js';
import type { SegmentFile } from './segments.js';
import { BloomBuilder } from './text-index.js';

/** How long no record may have been written before a block is built (a block costs a few ms of CPU). */
export const IDLE_MS = 250;

export class IdleTextFilters {
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;
  private building: Promise<void> | undefined;
  private stopped = false;
  private readonly builder = new BloomBuilder();

  constructor(private readonly live: () => { segment: SegmentFile; index: SegmentIndex } | undefined) {}

  /** Called after each write: building waits until the log has been quiet for IDLE_MS. */
  written(): void {
    this.lastWrite = performance.now();
    if (!this.timer && !this.building && !this.stopped) this.arm(IDLE_MS);
  }

  /** Stops building; resolves once a block being built is done (no file stays open). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.building;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const quiet = performance.now() - this.lastWrite;
      if (quiet < IDLE_MS) return this.arm(IDLE_MS - quiet);
      this.building = this.buildOne().finally(() => {
        this.building = undefined;
      });
    }, ms);
    this.timer.unref();
  }

  private async buildOne(): Promise<void> {
    const live = this.live();
    if (this.stopped || !live) return;
    const { segment, index } = live;
    let b = 0;
    while (b < index.completeBlocks && index.text.has(b)) b += 1;
    if (b >= index.completeBlocks) return;
    const { from, to } = index.blockBytes(b);
    const bytes = Buffer.alloc(to - from);
    try {
      const handle = await open(segment.path, 'r');
      try {
        let got = 0;
        while (got < bytes.length) {
          const { bytesRead } = await handle.read(bytes, got, bytes.length - got, from + got);
          if (bytesRead === 0) return;
          got += bytesRead;
        }
      } finally {
        await handle.close();
      }
    } catch {
      return; // the next query builds it
    }
    if (this.stopped || index.text.has(b)) return;
    index.buildTextBlock(b, bytes, from, this.builder);
    this.arm(0); // the next block, if the log is still quiet
  }
}
