#!/usr/bin/env node
// Audit log benchmark (prints numbers, asserts nothing). Targets from issue 4: at least 50,000 durable
// appends/s (batched group commit), verify of 1M records under 3 s, a filtered page over 1M records
// under 100 ms, for every kind of filter (rare column values, rare free text). Runs the compiled engine
// (npm run bench builds first; `node scripts/bench.mjs audit` runs only this one after a build).
// Usage: node scripts/bench/audit.mjs [records=1000000]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as os from 'node:os';

const dist = new URL('../../dist/src-main/engine/audit/', import.meta.url);
const { openAuditLog, openAuditReader } = await import(new URL('index.js', dist).href);

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const WINDOW = 1024; // calls in flight at once, as many concurrent clients would have
const dir = mkdtempSync(join(tmpdir(), 'warden-bench-audit-'));
const paths = { audit: join(dir, 'audit') };
const signal = new AbortController().signal;
const servers = ['files', 'github', 'mail', 'memory', 'browser', 'shell', 'slack', 'notion'];
const tools = Array.from({ length: 40 }, (_, i) => `tool_${i}`);
const clients = Array.from({ length: 12 }, (_, i) => ({ id: `client-${i}`, name: ['Claude Desktop', 'Cursor', 'VS Code', 'Windsurf'][i % 4], version: '1.0.0' }));
const allow = { effect: 'allow', ruleId: 'tier:standard/low', reasons: ['Low-risk tool on a standard server.'], approver: 'policy', risk: 'low' };
const deny = { effect: 'deny', ruleId: 'rule:r12', reasons: ['Refused by a standing rule.'], approver: 'policy', risk: 'high', status: 'denied' };

// Rare values, as a real log has them: a server used for a handful of calls, a client seen once a day.
const RARE = 99_991;
function call(i) {
  return {
    callId: `call-${i}`,
    sessionId: `session-${i % 97}`,
    client: i % RARE === 5 ? { id: 'client-rare', name: 'Zed', version: '0.1' } : clients[i % clients.length],
    server: i % RARE === 0 ? 'vault' : servers[i % servers.length],
    tool: i % RARE === 0 ? 'export_all' : tools[(i * 7) % tools.length],
    arguments: { path: `/home/me/project/file-${i}.txt`, limit: i % 100 },
    signal,
    startedAt: Date.now(),
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const sizeOf = (suffix) => readdirSync(paths.audit).filter((f) => f.endsWith(suffix)).reduce((sum, f) => sum + statSync(join(paths.audit, f)).size, 0);
const sidecarBytes = () => sizeOf('.idx');
const logBytes = () => sizeOf('.jsonl');
const cpuSince = (start) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};
const load = () => os.loadavg()[0].toFixed(1);
const ms = (t) => `${t.toFixed(1)} ms`;

try {
  const log = await openAuditLog(paths, { retentionDays: 0 });
  let next = 0;
  let done = 0;
  console.log(`machine: ${os.availableParallelism()} cores, load average ${load()} at start (other work on the machine slows every number below; CPU times are this process's own)`);
  const cpuAppend = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve, reject) => {
    const pump = () => {
      while (next < TOTAL && next - done < WINDOW) {
        const i = next++;
        const record =
          i % 250_000 === 1000
            ? log.event('engine.started', { pid: i, version: '0.1.0' })
            : i % 3 === 2
              ? log.finished(call(i - 1), allow, { status: i % 29 === 0 ? 'error' : 'ok', durationMs: i % 250 })
              : log.decided(call(i), i % 53 === 0 ? deny : allow);
        record.then(() => {
          done += 1;
          if (done === TOTAL) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
  // Records are acknowledged once written; close() waits for the last fdatasync, so the time counts
  // every record as on disk.
  await log.close();
  const appendSeconds = (performance.now() - started) / 1000;
  const appendCpu = cpuSince(cpuAppend);
  // A running engine indexes its active segment while the log is quiet (text filters, sidecar): give
  // it that quiet spell, as a person browsing the log would, so the cold reader below starts as the CLI does.
  {
    const quiet = await openAuditLog(paths, { retentionDays: 0 });
    await quiet.event('bench.quiet', {});
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await quiet.close();
  }
  console.log(`append: ${fmt(TOTAL)} records, all synced to disk by the end (group commit: one fdatasync per 20 ms at most), ${WINDOW} in flight: ${fmt(TOTAL / appendSeconds)} records/s (${appendSeconds.toFixed(2)} s wall, ${(appendCpu / 1000).toFixed(2)} s CPU = ${((appendCpu * 1000) / TOTAL).toFixed(1)} us CPU per record)`);

  const reader = openAuditReader(paths);
  let t = performance.now();
  let cpu = process.cpuUsage();
  const report = await reader.verify();
  console.log(`verify: ${fmt(report.records)} records in ${report.segments} segments: ${ms(performance.now() - t)} wall, ${ms(cpuSince(cpu))} CPU over all threads (${report.ok ? 'intact' : `BROKEN ${report.firstBroken?.code}`}); load average ${load()}`);

  t = performance.now();
  cpu = process.cpuUsage();
  let page = await reader.query({ server: 'mail', effect: 'allow', limit: 50 });
  console.log(`query, cold reader (the CLI: loads sealed segments' indexes, indexes the active segment): server=mail effect=allow, 50 newest: ${ms(performance.now() - t)} wall, ${ms(cpuSince(cpu))} CPU`);
  t = performance.now();
  page = await reader.query({ server: 'vault', limit: 50 });
  console.log(`query, cold reader: rare server=vault (loads every segment's index): ${ms(performance.now() - t)} wall, ${page.records.length} records`);
  // The writer leaves sidecars without text filters: the first free-text query that reads the whole
  // log builds them (once; sealed segments' filters are written back to their sidecars).
  t = performance.now();
  cpu = process.cpuUsage();
  page = await reader.query({ text: 'no such text in the log' });
  console.log(`text filters built by the first rare free-text query (this log was written in one burst with no quiet spell; a running engine builds them while the log is quiet; kept in the sidecars): ${ms(performance.now() - t)} wall, ${ms(cpuSince(cpu))} CPU; sidecars now ${fmt(sidecarBytes() / 1e6)} MB for ${fmt(logBytes() / 1e6)} MB of log`);
  const cases = [
    ['no filter, 50 newest', {}],
    ['server=mail effect=allow, 50 newest', { server: 'mail', effect: 'allow' }],
    ['client=Cursor tool=tool_3 status=error', { client: 'Cursor', tool: 'tool_3', status: 'error' }],
    ['effect=deny, page 2', { effect: 'deny', type: 'decision' }],
    ['time range (middle 1%) + server', { since: 0, until: 0, server: 'github' }],
    ['rare: server=vault (a few records in 1M)', { server: 'vault' }],
    ['rare: client=Zed (claimed name)', { client: 'Zed' }],
    ['rare: event=engine.started', { event: 'engine.started' }],
    ['rare conjunction: tool=tool_39 server=files (no match; each value is in every block, so rows are scanned)', { tool: 'tool_39', server: 'files' }],
    ['one call by id: callId=call-123456', { callId: 'call-123456' }],
    ['free text "cursor" (common: first page fills fast)', { text: 'cursor' }],
    ['free text "call-123456" (rare)', { text: 'call-123456"' }],
    ['free text "export_all" (rare)', { text: 'export_all' }],
    ['free text "no such text in the log" (no match)', { text: 'no such text in the log' }],
    ['free text + filter: "call-12345" server=slack (rare)', { text: 'call-12345', server: 'slack' }],
    ['free text: a record hash (64 hex digits: the hex filter)', { text: 'HASH' }],
    ['free text: the first 16 hex digits of a hash', { text: 'HASH16' }],
    ['free text: the first 8 hex digits of a hash', { text: 'HASH8' }],
    ['free text: the first 5 hex digits of a hash', { text: 'HASH5' }],
    ['free text: the first 3 hex digits of a hash (common)', { text: 'HASH3' }],
    ['free text: 30 hex digits from the middle of a hash (no match: hashes match from their start)', { text: 'HASH30' }],
    ['free text "deadbeef" (hex digits only, no match)', { text: 'deadbeef' }],
    ['free text "123456" (digits: call id, seq)', { text: '123456' }],
    ['free text "zq" (2 bytes, no match)', { text: 'zq' }],
    ['free text "k" (one byte: every block is read until the page is full)', { text: 'k' }],
  ];
  const { hash } = (await reader.query({ callId: `call-${3 * Math.floor(TOTAL / 6)}` })).records[0];
  const first = await reader.query({ order: 'oldest', limit: 1 });
  const last = await reader.query({ limit: 1 });
  const t0 = Date.parse(first.records[0].time);
  const t1 = Date.parse(last.records[0].time);
  for (const [name, q] of cases) {
    if (q.since === 0) {
      q.since = t0 + (t1 - t0) * 0.5;
      q.until = t0 + (t1 - t0) * 0.51;
    }
    if (q.text === 'HASH') q.text = hash;
    if (q.text === 'HASH30') q.text = hash.slice(20, 50);
    if (q.text === 'HASH16') q.text = hash.slice(0, 16);
    if (q.text === 'HASH8') q.text = hash.slice(0, 8);
    if (q.text === 'HASH5') q.text = hash.slice(0, 5);
    if (q.text === 'HASH3') q.text = hash.slice(0, 3);
    let query = { ...q, limit: 50 };
    if (name.includes('page 2')) query.before = (await reader.query(query)).nextCursor;
    const times = [];
    const runs = 5;
    cpu = process.cpuUsage();
    for (let r = 0; r < runs; r += 1) {
      t = performance.now();
      page = await reader.query(query);
      times.push(performance.now() - t);
    }
    const cpuEach = cpuSince(cpu) / runs;
    times.sort((a, b) => a - b);
    console.log(`query (warm): ${name}: median ${ms(times[Math.floor(runs / 2)])} wall (max ${ms(times[runs - 1])}), ${ms(cpuEach)} CPU, ${page.records.length} records, ${fmt(page.scanned)} index rows scanned`);
  }
  console.log(`query (a new reader, as the CLI starts: it loads the sidecars, text filters included):`);
  for (const [name, q] of [['rare server=vault', { server: 'vault' }], ['rare text "call-123456"', { text: 'call-123456"' }]]) {
    const fresh = openAuditReader(paths);
    t = performance.now();
    page = await fresh.query({ ...q, limit: 50 });
    const coldMs = performance.now() - t;
    t = performance.now();
    page = await fresh.query({ ...q, limit: 50 });
    console.log(`  ${name}: first ${ms(coldMs)}, then ${ms(performance.now() - t)} (${page.records.length} records)`);
  }
  console.log(`memory: RSS ${fmt(process.memoryUsage().rss / 1e6)} MB with the indexes of ${fmt(TOTAL)} records loaded in two readers`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
