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

/** A lock that never got its address (an engine that died while starting) is stale after this long. */
const UNPUBLISHED_STALE_MS = 30_000;
const PROBE_TIMEOUT_MS = 1000;

/**
 * Does the engine a lock names answer where it said it listens? Its pid alone can mislead: after a
 * crash or a reboot another process may have been given that pid, and the lock would then hold every
 * later engine off (every `warden connect` failing). A connection refused, or a socket file that is
 * gone, means no engine is there; no answer in time is taken as one that is busy (still running).
 */
export async function answers(info: LockInfo): Promise<boolean> {
  if (!info.socket && !info.port) return Date.now() - Date.parse(info.startedAt) < UNPUBLISHED_STALE_MS;
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = info.socket ? connect({ path: info.socket }) : connect({ host: '127.0.0.1', port: info.port! });
    const done = (up: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(up);
    };
    const timer = setTimeout(() => done(true), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(!['ECONNREFUSED', 'ENOENT', 'ENOTSOCK'].includes(error.code ?? '')));
  });
}
