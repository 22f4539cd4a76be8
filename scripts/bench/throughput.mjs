#!/usr/bin/env node
// Throughput alone (`npm run bench -- throughput`): the wrk lines of gateway.mjs without the rest, for
// work on the call path. `warden serve` with the guardian and the audit log on, in front of the minimal
// echo server, is loaded by 8 wrk connections (each its own session); then the same load goes through
// the bare Node proxy; the two take turns for a few rounds, so drift on the machine weighs on both.
// Beside calls/s it prints the CPU per call (from /proc) of the engine (user + system, all its threads),
// of the servers it started, and of the whole machine, and the same for the bare proxy: the machine is
// saturated under this load (2 cores), so calls/s is the machine's CPU per call turned over. The CPU
// figures move less from run to run than calls/s on this kind of machine. Prints numbers, asserts nothing.
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
import { closeSessions, openSessions, wrkAvailable, wrkRate } from './wrk-load.mjs';

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

function cpuMs(pid, file = `/proc/${pid}/stat`) {
  // utime + stime of the process (all its threads), in ms: clock ticks of 10 ms on Linux.
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

/** The main thread alone (where the JavaScript runs), and how often it was preempted (involuntary switches). */
function mainThread(pid) {
  const { user, system } = cpuMs(pid, `/proc/${pid}/task/${pid}/stat`);
  const preempted = Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'))[1]);
  return { cpu: user + system, preempted };
}

/** CPU time (ms) of the processes `pid` started (the servers of its sessions). */
function childrenCpuMs(pid) {
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return 0;
  }
  return children.reduce((sum, child) => {
    try {
      const { user, system } = cpuMs(child);
      return sum + user + system;
    } catch {
      return sum; // exited meanwhile
    }
  }, 0);
}

/** CPU time (ms) the whole machine spent busy (all cores, /proc/stat: everything but idle and iowait). */
function machineBusyMs() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4]) * 10;
}

/** Runs wrk against `url` and reads the CPU spent per call by the proxy (`pid`), its servers and the machine. */
async function measured(url, headers, pid) {
  // The sessions open (and the proxy settles) before the CPU is read: it is that of the calls alone.
  const sessions = await openSessions(url, headers);
  const before = { proxy: cpuMs(pid), main: mainThread(pid), servers: childrenCpuMs(pid), machine: machineBusyMs() };
  const result = await wrkRate(url, headers, seconds, sessions);
  const after = { proxy: cpuMs(pid), main: mainThread(pid), servers: childrenCpuMs(pid), machine: machineBusyMs() };
  await closeSessions(url, headers, sessions); // after the reading: ending them is not the calls' work
  const perCall = (ms) => (ms * 1000) / (result.rate * seconds);
  return {
    ...result,
    user: perCall(after.proxy.user - before.proxy.user),
    main: perCall(after.main.cpu - before.main.cpu),
    preempted: (after.main.preempted - before.main.preempted) / (result.rate * seconds),
    system: perCall(after.proxy.system - before.proxy.system),
    servers: perCall(after.servers - before.servers),
    machine: perCall(after.machine - before.machine),
  };
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
  const runs = { warden: [], cpu: [], machine: [], bare: [], bareMachine: [] };
  for (let i = 0; i < rounds; i++) {
    const w = await measured(`${url}/mcp/echo-lite`, headers, serve.pid);
    const b = process.env.BENCH_PROF ? undefined : await measured(bareProxy.url, {}, bare.pid);
    const perCall = w.user + w.system;
    runs.warden.push(w.rate);
    runs.cpu.push(perCall);
    runs.machine.push(w.machine);
    if (b) {
      runs.bare.push(b.rate);
      runs.bareMachine.push(b.machine);
    }
    const bad = (r) => (r.bad ? ` (${r.bad} answers were not the echo)` : '') + (r.errors ? ` (socket errors: ${r.errors})` : '');
    const split = (r, who) => `${who} ${(r.user + r.system).toFixed(0)} (user ${r.user.toFixed(0)}, system ${r.system.toFixed(0)}; main thread ${r.main.toFixed(0)}, preempted ${r.preempted.toFixed(2)} times per call), its servers ${r.servers.toFixed(0)}, machine ${r.machine.toFixed(0)}`;
    console.log(`round ${i + 1}: through Warden ${w.rate} calls/s${bad(w)}, CPU us/call: ${split(w, 'engine')}${b ? `; through the bare proxy ${b.rate} calls/s${bad(b)}, CPU us/call: ${split(b, 'proxy')}` : ''}`);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`calls/s, 8 wrk clients through Warden, minimal echo server (target >= 5,000), median of ${rounds}: ${median(runs.warden)}`);
  console.log(`engine CPU per call (user + system), median: ${median(runs.cpu).toFixed(0)} us; the whole machine's: ${median(runs.machine).toFixed(0)} us`);
  if (runs.bare.length) console.log(`calls/s, same load through the bare Node proxy, median: ${median(runs.bare)}; the whole machine's CPU per call: ${median(runs.bareMachine).toFixed(0)} us`);
} finally {
  bare?.kill('SIGTERM');
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((r) => serve.once('exit', r));
  }
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
