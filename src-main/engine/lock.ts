// One engine per data directory. engine.lock holds the running engine's pid and URL, so that a second
// `warden serve`, the desktop app, or `warden connect` can find it instead of starting another.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { WardenError } from './errors.js';
import type { DataPaths } from './paths.js';

export interface LockInfo {
  pid: number;
  url?: string;
  port?: number;
  /** The local socket `warden connect` uses. */
  socket?: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(paths: DataPaths): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(paths.lock, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return typeof info.pid === 'number' && alive(info.pid) ? info : undefined;
  } catch {
    // A lock being written is empty for an instant; a torn one belongs to no live engine.
    return undefined;
  }
}

export class EngineLock {
  private constructor(
    private readonly paths: DataPaths,
    private info: LockInfo,
  ) {}

  static acquire(paths: DataPaths): EngineLock {
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
        if (holder && holder.pid !== process.pid) {
          throw new WardenError(
            'engine_running',
            `Warden is already running for ${paths.dir} (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''}). Use that one, or stop it first.`,
            { ...holder },
          );
        }
        // The holder is gone (crash, kill -9): the lock is stale.
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
