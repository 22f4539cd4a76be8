// Finding the engine of a data directory, or starting one in the background (for `warden connect`).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WardenError } from '../engine/errors.js';
import { readLock } from '../engine/lock.js';
import type { DataPaths } from '../engine/paths.js';

const START_TIMEOUT_MS = 15_000;

export async function ensureEngine(paths: DataPaths): Promise<string> {
  const running = readLock(paths);
  if (running?.url) return running.url;

  mkdirSync(paths.logs, { recursive: true });
  const outFile = join(paths.logs, 'serve.out');
  const out = openSync(outFile, 'a', 0o600);
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(process.execPath, [main, 'serve', '--no-open', '--port', '0'], {
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
    const lock = readLock(paths);
    if (lock?.url) return lock.url;
    if (exited !== null) {
      // Another engine may have won the race for the lock; otherwise say why ours stopped.
      const again = readLock(paths);
      if (again?.url) return again.url;
      const tail = readFileSync(outFile, 'utf8').trim().split('\n').slice(-3).join(' ');
      throw new WardenError('engine_not_running', `Warden could not be started in the background (exit ${exited}): ${tail || 'no output'}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new WardenError('engine_not_running', `Warden did not start within ${START_TIMEOUT_MS / 1000} s (see ${outFile}).`);
}
