// Finding the engine of a data directory: engine.lock names the running engine's pid, URL and socket.
// Kept apart from the lock's writer (lock.ts) so that `warden connect`, which only reads it, loads
// nothing more than node:fs.
import { readFileSync } from 'node:fs';
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
