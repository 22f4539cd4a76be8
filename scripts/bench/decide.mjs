#!/usr/bin/env node
// Guardian decision benchmark: prints numbers, asserts nothing. Run through `npm run bench` (builds first).
// Decision time per call with 1,000 standing rules, pin check included (target: p99 under 50 µs):
// - cached pin hash: the gateway passes the definition object it listed (the usual path)
// - fresh definition object every call: the pin hash is computed each time (worst case)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../../dist/src-main/engine/', import.meta.url);
const { createGuardian } = await import(new URL('policy/guardian.js', dist).href);
const { PolicyStore } = await import(new URL('policy/store.js', dist).href);
const { dataPaths } = await import(new URL('paths.js', dist).href);

const RULES = 1000;
const CALLS = Number(process.env.BENCH_CALLS ?? 20000);
const WARMUP = 10000;
const dir = mkdtempSync(join(tmpdir(), 'warden-bench-decide-'));

const tool = (name, description, annotations) => ({
  name,
  description,
  inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'Absolute path' }, content: { type: 'string' } }, required: ['path'] },
  annotations,
});
const tools = [
  tool('read_text_file', 'Read the complete contents of a file from the file system as text. Only works within allowed directories.', { readOnlyHint: true }),
  tool('write_file', 'Create a new file or completely overwrite an existing file with new content. Only works within allowed directories.', { readOnlyHint: false, destructiveHint: true }),
  tool('move_file', 'Move or rename files and directories.', { readOnlyHint: false, destructiveHint: true }),
];

// 1,000 standing rules: most on other servers and tools, some on the measured ones, with constraints.
const rules = [];
for (let i = 0; i < RULES; i++) {
  const onTarget = i % 10 === 0;
  rules.push({
    id: `r${i + 1}`,
    server: onTarget ? 'filesystem' : `server-${i % 97}`,
    tool: onTarget ? (i % 20 === 0 ? 'write_file' : 'move_file') : `tool_${i}`,
    effect: i % 3 === 0 ? 'deny' : 'allow',
    when: onTarget ? [{ arg: 'path', op: 'prefix', value: `/home/user/project-${i}` }] : i % 2 ? [{ arg: 'mode', op: 'equals', value: 'safe' }] : [],
    createdAt: new Date().toISOString(),
  });
}
rules.push({ id: `r${RULES + 1}`, server: 'filesystem', tool: 'write_file', effect: 'allow', when: [{ arg: 'path', op: 'prefix', value: '/home/user/work' }], createdAt: new Date().toISOString() });
writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: 1, nextRule: RULES + 2, rules }));

const guardian = createGuardian({ store: new PolicyStore(dataPaths(dir)), tierOf: () => 'standard' });
await guardian.listTools('filesystem', { id: 'bench' }, tools);

const channel = { progress() {} };
const signal = new AbortController().signal;
const calls = [
  { tool: tools[0], args: { path: '/home/user/work/a.txt' } }, // tier default: allow
  { tool: tools[1], args: { path: '/home/user/work/b.txt', content: 'x' } }, // standing rule among 1,000: allow
  { tool: tools[2], args: { path: '/home/user/project-30/c.txt' } }, // standing deny with a constraint
];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(fresh) {
  const times = [];
  let cpu0;
  for (let i = 0; i < CALLS + WARMUP; i++) {
    const c = calls[i % calls.length];
    const call = {
      callId: `c${i}`,
      sessionId: 's1',
      client: { id: 'bench' },
      server: 'filesystem',
      tool: c.tool.name,
      arguments: c.args,
      definition: fresh ? structuredClone(c.tool) : c.tool,
      signal,
      startedAt: 0,
    };
    if (i === WARMUP) cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const d = await guardian.decide(call, channel);
    const t1 = process.hrtime.bigint();
    if (d.effect === 'ask') throw new Error(`unexpected ask for ${c.tool.name}`);
    if (i >= WARMUP) times.push(Number(t1 - t0) / 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  times.cpuPerCall = (cpu.user + cpu.system) / CALLS;
  return times;
}

for (const [label, fresh] of [['cached pin hash', false], ['fresh definition (hash every call)', true]]) {
  const t = await measure(fresh);
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  console.log(`decide, ${RULES} rules, ${label}: p50 ${pct(t, 50).toFixed(1)} µs  p99 ${pct(t, 99).toFixed(1)} µs  mean ${mean.toFixed(1)} µs  CPU per call ${t.cpuPerCall.toFixed(1)} µs  max ${t[t.length - 1].toFixed(1)} µs  (${t.length} calls)`);
}
console.log(`load average during the run: ${(await import('node:os')).loadavg()[0].toFixed(2)} on ${(await import('node:os')).availableParallelism()} cores`);
guardian.close();
rmSync(dir, { recursive: true, force: true });
