// A segment's index sidecar (`<segment>.idx`): written whole or not at all (temporary file, then
// rename), and best effort: a sidecar is a cache, so one that cannot be written or read only means the
// reader rebuilds the index from the segment.
import { open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { SegmentIndex } from './segment-index.js';
import { indexPathOf, type SegmentFile } from './segments.js';

/** Resolves with the error when the sidecar could not be written (callers may say so), never rejects. */
export async function saveSidecar(segment: SegmentFile, index: SegmentIndex): Promise<Error | undefined> {
  const target = indexPathOf(segment.path);
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temp, index.serialize(), { mode: 0o600 });
    await rename(temp, target);
    // Removed by retention meanwhile: do not leave its index behind.
    await stat(segment.path).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') await unlink(target).catch(() => undefined);
    });
    return undefined;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    return error as Error;
  }
}

/** The segment's index from its sidecar, when there is one that describes this file (it may cover only the file's first part). */
export async function loadSidecar(segment: SegmentFile): Promise<SegmentIndex | undefined> {
  const data = await readWhole(indexPathOf(segment.path)).catch(() => undefined);
  const index = data && SegmentIndex.deserialize(data);
  // A sidecar that does not describe this file (copied, restored, or the file was rewritten): none.
  return index && (await anchorsHold(segment, index)) ? index : undefined;
}

/** A file's bytes in one read (readFile reads in small chunks, each a trip through the thread pool). */
async function readWhole(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await handle.read(buffer, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buffer.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** Whether the first, middle and last lines an index names are whole lines with the seq it says. */
async function anchorsHold(segment: SegmentFile, index: SegmentIndex): Promise<boolean> {
  const n = index.count;
  if (n === 0) return true;
  try {
    const handle = await open(segment.path, 'r');
    try {
      for (const i of new Set([0, n >> 1, n - 1])) {
        const length = index.lengths[i]!;
        const prefix = `{"seq":${index.seqs[i]},`;
        if (length < prefix.length + 2) return false;
        const head = Buffer.alloc(prefix.length);
        const tail = Buffer.alloc(2);
        await handle.read(head, 0, head.length, index.offsets[i]!);
        await handle.read(tail, 0, 2, index.offsets[i]! + length - 2);
        if (head.toString('latin1') !== prefix || tail.toString('latin1') !== '}\n') return false;
      }
      return true;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}
