// One engine per data directory, also when several start at once over a stale lock (left by an engine
// that was killed): exactly one takes it, the others say that one runs. Each contender is its own
// process, started to race for the lock at the same instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineLock, readLock } from '../../src-main/engine/lock.js';
import { dataPaths } from '../../src-main/engine/paths.js';

const LOCK_MODULE = fileURLToPath(new URL('../../src-main/engine/lock.ts', import.meta.url));
const PATHS_MODULE = fileURLToPath(new URL('../../src-main/engine/paths.ts', import.meta.url));

/** A pid no process has now (one that just exited). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

/** Starts a process that tries to take the lock at `at` (ms since epoch), holds it `holdMs`, and says how it went. */
function contender(dir: string, at: number, holdMs: number): Promise<string> {
  const script = `
    const { EngineLock } = await import(${JSON.stringify(LOCK_MODULE)});
    const { dataPaths } = await import(${JSON.stringify(PATHS_MODULE)});
    while (Date.now() < ${at}) await new Promise((r) => setTimeout(r, 1));
    try {
      const lock = await EngineLock.acquire(dataPaths(${JSON.stringify(dir)}));
      console.log('got');
      await new Promise((r) => setTimeout(r, ${holdMs}));
      lock.release();
    } catch (error) {
      console.log(error.code === 'engine_running' && /already running/.test(error.message) ? 'busy' : 'error: ' + error.message);
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  return new Promise((resolve) => child.on('exit', () => resolve(out.trim())));
}

test('several engines starting at once over a stale lock: exactly one takes it, the others are told it runs', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-lock-'));
  try {
    for (let round = 0; round < 3; round++) {
      const paths = dataPaths(dir);
      writeFileSync(paths.lock, JSON.stringify({ pid: deadPid(), url: 'http://127.0.0.1:9', port: 9, socket: join(dir, 'gone.sock'), startedAt: new Date(Date.now() - 60_000).toISOString() }));
      const at = Date.now() + 2500; // after every contender has loaded
      const results = await Promise.all(Array.from({ length: 5 }, () => contender(dir, at, 1500)));
      assert.deepEqual([...results].sort(), ['busy', 'busy', 'busy', 'busy', 'got'], `round ${round + 1}: ${results.join(', ')}`);
      assert.equal(readLock(paths), undefined, 'the winner released it');
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('engine.lock')), [], 'no takeover or temporary file is left');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a takeover left by a process that died while removing a stale lock does not hold engines off for good', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-lock-'));
  try {
    const paths = dataPaths(dir);
    writeFileSync(paths.lock, JSON.stringify({ pid: deadPid(), startedAt: new Date(Date.now() - 60_000).toISOString() }));
    writeFileSync(paths.lockTakeover, String(deadPid()));
    const old = new Date(Date.now() - 60_000);
    utimesSync(paths.lockTakeover, old, old);
    const lock = await EngineLock.acquire(paths);
    assert.equal(readLock(paths)?.pid, process.pid);
    assert.equal(existsSync(paths.lockTakeover), false);
    lock.release();
    assert.equal(existsSync(paths.lock), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
