// Finding the engine of a data directory, or starting one in the background (for `warden connect`).
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WardenError } from '../engine/errors.js';
import { answers, readLock, type LockInfo } from '../engine/lock-file.js';
import type { DataPaths } from '../engine/paths.js';

const START_TIMEOUT_MS = 15_000;

export interface EngineAddress {
  url: string;
  /** The local socket for `warden connect`. */
  socket: string;
}

const address = (lock: LockInfo | undefined): EngineAddress | undefined => (lock?.url && lock.socket ? { url: lock.url, socket: lock.socket } : undefined);

export async function ensureEngine(paths: DataPaths): Promise<EngineAddress> {
  const lock = readLock(paths);
  const running = address(lock);
  // A lock whose pid another process was given since is no engine: start one (it takes the lock over).
  if (running && (await answers(lock!))) return running;
  const stalePid = running ? lock!.pid : undefined;
  /** The lock's address once an engine other than the stale holder published it. */
  const published = () => {
    const now = readLock(paths);
    return now?.pid === stalePid ? undefined : address(now);
  };

  // Loaded only here: a client's launch of `warden connect` with the engine running never needs it.
  const { spawn } = await import('node:child_process');
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  const outFile = join(paths.logs, 'serve.out');
  const out = openSync(outFile, 'a', 0o600);
  // From the installed desktop app (`Warden --connect`), the engine is the app itself, started in the
  // tray; from Node (a source checkout), it is `warden serve`.
  const args = process.versions.electron ? ['--background'] : [fileURLToPath(new URL('./main.js', import.meta.url)), 'serve', '--no-open', '--no-link', '--port', '0'];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, WARDEN_DATA_DIR: paths.dir },
  });
  closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const lock = published();
    if (lock) return lock;
    if (exited !== null) {
      // Another engine may have won the race for the lock; otherwise say why ours stopped.
      const again = published();
      if (again) return again;
      const tail = readFileSync(outFile, 'utf8').trim().split('\n').slice(-3).join(' ');
      throw new WardenError('engine_not_running', `Warden could not be started in the background (exit ${exited}): ${tail || 'no output'}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new WardenError('engine_not_running', `Warden did not start within ${START_TIMEOUT_MS / 1000} s (see ${outFile}).`);
}
