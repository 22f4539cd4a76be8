// Writing a segment's index sidecar (`<segment>.idx`): whole or not at all (temporary file, then
// rename), and best effort: a sidecar is a cache, so one that cannot be written only means the next
// reader rebuilds it from the segment.
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { SegmentIndex } from './segment-index.js';
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
