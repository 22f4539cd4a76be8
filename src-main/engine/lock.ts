// One engine per data directory. engine.lock holds the running engine's pid and URL, so that a second
// `warden serve`, the desktop app, or `warden connect` can find it instead of starting another.
import { existsSync, linkSync, mkdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { WardenError } from './errors.js';
import { answers, readLock, type LockInfo } from './lock-file.js';
import type { DataPaths } from './paths.js';

export { readLock, type LockInfo } from './lock-file.js';

const ACQUIRE_ATTEMPTS = 40;
const TAKEOVER_WAIT_MS = 25;
/** A takeover lock is held for milliseconds; one this old belongs to a process that died holding it. */
const TAKEOVER_STALE_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates `path` with `text` unless it exists; false if it does. The text is written to a file of its
 * own first and linked into place, so the file is never seen empty or half-written (a reader would take
 * that for a stale lock).
 */
function createWhole(path: string, text: string): boolean {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, text, { mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(temp, { force: true });
  }
}

function clearAbandonedTakeover(path: string): void {
  try {
    if (Date.now() - statSync(path).mtimeMs > TAKEOVER_STALE_MS) rmSync(path, { force: true });
  } catch {
    /* gone meanwhile */
  }
}

function running(paths: DataPaths, holder: LockInfo): WardenError {
  return new WardenError('engine_running', `Warden is already running for ${paths.dir} (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}). Use that one, or stop it first.`, { ...holder });
}

export class EngineLock {
  private constructor(
    private readonly paths: DataPaths,
    private info: LockInfo,
  ) {}

  static async acquire(paths: DataPaths): Promise<EngineLock> {
    mkdirSync(paths.dir, { recursive: true });
    const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      if (createWhole(paths.lock, JSON.stringify(info))) return new EngineLock(paths, info);
      const holder = readLock(paths);
      if (holder && holder.pid !== process.pid && (await answers(holder))) throw running(paths, holder);
      // The holder is gone (crash, kill -9), or its pid now belongs to another process: the lock is
      // stale. Removed under a short takeover lock, and judged again there: two engines starting at
      // once must not both remove it, or the slower would remove the lock the faster just took.
      if (!createWhole(paths.lockTakeover, String(process.pid))) {
        clearAbandonedTakeover(paths.lockTakeover);
        await sleep(TAKEOVER_WAIT_MS);
        continue;
      }
      try {
        // No lock file: another engine removed the stale one and may be creating its own right now
        // (that needs no takeover lock), so there is nothing to remove: removing now could delete the
        // new engine's lock and let two run. A lock file that is there cannot change while we hold the
        // takeover lock (it is only created where none is, and only removed under this lock).
        if (existsSync(paths.lock)) {
          const still = readLock(paths);
          if (still && still.pid !== process.pid && (await answers(still))) throw running(paths, still);
          rmSync(paths.lock, { force: true });
        }
      } finally {
        rmSync(paths.lockTakeover, { force: true });
      }
    }
    throw new WardenError('engine_running', `Could not take the engine lock ${paths.lock}.`);
  }

  publish(url: string, port: number, socket?: string): void {
    this.info = { ...this.info, url, port, socket };
    writeFileAtomic.sync(this.paths.lock, JSON.stringify(this.info), { mode: 0o600 });
  }

  release(): void {
    const holder = readLock(this.paths);
    if (holder?.pid === process.pid) {
      try {
        unlinkSync(this.paths.lock);
      } catch {
        /* already gone */
      }
    }
  }
}
