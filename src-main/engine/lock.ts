// One engine per data directory. engine.lock holds the running engine's pid and URL, so that a second
// `warden serve`, the desktop app, or `warden connect` can find it instead of starting another.
import { openSync, writeSync, closeSync, unlinkSync, mkdirSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { WardenError } from './errors.js';
import { answers, readLock, type LockInfo } from './lock-file.js';
import type { DataPaths } from './paths.js';

export { readLock, type LockInfo } from './lock-file.js';

export class EngineLock {
  private constructor(
    private readonly paths: DataPaths,
    private info: LockInfo,
  ) {}

  static async acquire(paths: DataPaths): Promise<EngineLock> {
    mkdirSync(paths.dir, { recursive: true });
    const info: LockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(paths.lock, 'wx', 0o600);
        writeSync(fd, JSON.stringify(info));
        closeSync(fd);
        return new EngineLock(paths, info);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readLock(paths);
        if (holder && holder.pid !== process.pid && (await answers(holder))) {
          throw new WardenError(
            'engine_running',
            `Warden is already running for ${paths.dir} (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}). Use that one, or stop it first.`,
            { ...holder },
          );
        }
        // The holder is gone (crash, kill -9), or its pid now belongs to another process: the lock is stale.
        try {
          unlinkSync(paths.lock);
        } catch {
          /* someone else removed it first */
        }
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
