#!/usr/bin/env node
// Throughput alone (`npm run bench -- throughput`): the wrk lines of gateway.mjs without the rest, for
// work on the call path. `warden serve` with the guardian and the audit log on, in front of the minimal
// echo server, is loaded by 8 wrk connections (each its own session); then the same load goes through
// the bare Node proxy; the two take turns for a few rounds, so drift on the machine weighs on both.
// Beside calls/s it prints the engine's CPU per call (user + system, from /proc, all its threads),
// which moves less from run to run than calls/s on this kind of machine. Prints numbers, asserts nothing.
// Usage: node scripts/bench/throughput.mjs [rounds] (default 3). BENCH_SECONDS (default 6) per round;
// BENCH_PROF=<dir> runs the engine under --cpu-prof and leaves the profile there (the bare proxy rounds
// are skipped then: the engine's quiet spells, when its idle audit indexer works, would blur the profile).
// BENCH_NODE_ARGS: more Node flags for the engine (e.g. --perf-basic-prof, for `perf record -p <pid>`);
// BENCH_SHOW_PID=1 prints the engine's pid (to attach perf).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientToken, startBareProxy, startServe, WARDEN } from './processes.mjs';
import { wrkAvailable, wrkRate } from './wrk-load.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ECHO_LITE = [process.execPath, join(root, 'scripts', 'bench', 'echo-server.mjs')];
const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'warden-tp-'));
const env = { ...process.env, WARDEN_DATA_DIR: dir };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (!wrkAvailable()) {
  console.log('calls/s, 8 wrk clients: not measured: wrk is not installed (apt-get install wrk)');
  process.exit(0);
}

function cpuMs(pid) {
  // utime + stime of the process (all its threads), in ms: clock ticks of 10 ms on Linux.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

let serve;
let bare;
try {
  execFileSync(process.execPath, [WARDEN, 'servers', 'add', 'echo-lite', '--', ...ECHO_LITE], { env });
  const nodeArgs = [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const engine = await startServe(env, nodeArgs);
  serve = engine.child;
  const url = engine.url;
  const bareProxy = await startBareProxy(ECHO_LITE);
  bare = bareProxy.child;
  const headers = { authorization: `Bearer ${await clientToken(dir, 'bench')}` };
  if (process.env.BENCH_SHOW_PID) console.log(`engine pid ${serve.pid}`);
  await wrkRate(`${url}/mcp/echo-lite`, headers, 2); // warm-up: JIT, the sessions' server processes
  const runs = { warden: [], cpu: [], bare: [] };
  for (let i = 0; i < rounds; i++) {
    const before = cpuMs(serve.pid);
    const w = await wrkRate(`${url}/mcp/echo-lite`, headers, seconds);
    const after = cpuMs(serve.pid);
    const calls = w.rate * seconds;
    const user = ((after.user - before.user) * 1000) / calls;
    const system = ((after.system - before.system) * 1000) / calls;
    const perCall = user + system;
    const b = process.env.BENCH_PROF ? undefined : await wrkRate(bareProxy.url, {}, seconds);
    runs.warden.push(w.rate);
    runs.cpu.push(perCall);
    if (b) runs.bare.push(b.rate);
    const bad = (r) => (r.bad ? ` (${r.bad} answers were not the echo)` : '') + (r.errors ? ` (socket errors: ${r.errors})` : '');
    console.log(`round ${i + 1}: through Warden ${w.rate} calls/s${bad(w)}, engine CPU ${perCall.toFixed(0)} us/call (user ${user.toFixed(0)}, system ${system.toFixed(0)})${b ? `; through the bare proxy ${b.rate} calls/s${bad(b)}` : ''}`);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`calls/s, 8 wrk clients through Warden, minimal echo server (target >= 5,000), median of ${rounds}: ${median(runs.warden)}`);
  console.log(`engine CPU per call (user + system), median: ${median(runs.cpu).toFixed(0)} us`);
  if (runs.bare.length) console.log(`calls/s, same load through the bare Node proxy, median: ${median(runs.bare)}`);
} finally {
  bare?.kill('SIGTERM');
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((r) => serve.once('exit', r));
  }
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
