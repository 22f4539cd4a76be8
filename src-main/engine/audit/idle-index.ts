// Work on the active segment's index while the log is quiet, so readers start fast:
// - the free-text filters of its complete blocks, one block at a time, so the first search after a
//   busy day does not build them all at once and the sealed segment's sidecar carries them;
// - its sidecar, once whole new blocks were added, so a new reader (the CLI, the engine after a
//   restart) loads the index instead of parsing the whole segment.
// A cache only: a block left unbuilt or a sidecar left behind (a burst that never paused, a read
// that failed) is built or extended by the first reader that needs it.
import { open } from 'node:fs/promises';
import type { SegmentIndex } from './segment-index.js';
import type { SegmentFile } from './segments.js';
import { saveSidecar } from './sidecar.js';
import { BloomBuilder } from './text-index.js';

/** How long no record may have been written before work starts (a block costs a few ms of CPU). */
export const IDLE_MS = 250;

export class IdleIndexer {
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;
  private working: Promise<void> | undefined;
  private stopped = false;
  private readonly builder = new BloomBuilder();
  /** The segment and complete blocks the last sidecar written here described. */
  private saved = { segment: '', blocks: 0 };

  constructor(private readonly live: () => { segment: SegmentFile; index: SegmentIndex } | undefined) {}

  /** Called after each write: work waits until the log has been quiet for IDLE_MS. */
  written(): void {
    this.lastWrite = performance.now();
    if (!this.timer && !this.working && !this.stopped) this.arm(IDLE_MS);
  }

  /** Resolves once the step under way (if any) is done: the writer seals a segment only then. */
  async settle(): Promise<void> {
    await this.working;
  }

  /** Stops; resolves once the step under way is done (no file stays open). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.working;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const quiet = performance.now() - this.lastWrite;
      if (quiet < IDLE_MS) return this.arm(IDLE_MS - quiet);
      const started = this.lastWrite;
      this.working = this.step()
        .catch(() => false)
        .then((more) => {
          this.working = undefined;
          if (this.stopped || this.timer) return;
          // The next block if the log is still quiet; and records written during this step (which did
          // not arm a timer while it ran) get their turn once it is quiet again.
          if (more) this.arm(0);
          else if (this.lastWrite !== started) this.arm(IDLE_MS);
        });
    }, ms);
    this.timer.unref();
  }

  /** One unit of work; true when there may be more. */
  private async step(): Promise<boolean> {
    const live = this.live();
    if (this.stopped || !live) return false;
    const { segment, index } = live;
    let b = 0;
    while (b < index.completeBlocks && index.text.has(b)) b += 1;
    if (b < index.completeBlocks) return this.buildBlock(segment, index, b);
    if (this.saved.segment === segment.name && this.saved.blocks >= index.completeBlocks) return false;
    this.saved = { segment: segment.name, blocks: index.completeBlocks };
    await saveSidecar(segment, index);
    return false;
  }

  private async buildBlock(segment: SegmentFile, index: SegmentIndex, b: number): Promise<boolean> {
    const { from, to } = index.blockBytes(b);
    const bytes = Buffer.alloc(to - from);
    try {
      const handle = await open(segment.path, 'r');
      try {
        let got = 0;
        while (got < bytes.length) {
          const { bytesRead } = await handle.read(bytes, got, bytes.length - got, from + got);
          if (bytesRead === 0) return false;
          got += bytesRead;
        }
      } finally {
        await handle.close();
      }
    } catch {
      return false; // the next query builds it
    }
    if (this.stopped) return false;
    // A reader may have built it meanwhile: then go on with the next one.
    if (!index.text.has(b)) index.buildTextBlock(b, bytes, from, this.builder);
    return true;
  }
}
