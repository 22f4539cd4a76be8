#!/usr/bin/env node
// UI benchmark: prints numbers, asserts nothing. Run through `npm run bench` (builds first).
// - the time from a call's arrival at Warden (its approval's createdAt) to its card being painted in the
//   browser UI (headless Chromium on `warden serve`), p50 / p95 / max over BENCH_UI_CALLS calls
// - the Activity table over BENCH_UI_RECORDS audit records (default 100,000): time to page them all in
//   while scrolling, then frame times while scrolling through all of them (p50 / p95 / frames over 33 ms)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WARDEN = join(root, 'bin', 'warden.js');
const CALLS = Number(process.env.BENCH_UI_CALLS ?? 40);
const RECORDS = Number(process.env.BENCH_UI_RECORDS ?? 100_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n) => `${n.toFixed(1)} ms`;
const { ServerStore } = await import(join(root, 'dist/src-main/engine/config/servers.js'));
const { dataPaths } = await import(join(root, 'dist/src-main/engine/paths.js'));
const { openAuditLog } = await import(join(root, 'dist/src-main/engine/audit/index.js'));
const { packageBin } = await import(join(root, 'dist/src-main/engine/config/demo.js'));

async function startServe(dir) {
  const env = { ...process.env, WARDEN_DATA_DIR: dir, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config') };
  const child = spawn(process.execPath, [WARDEN, 'serve', '--no-open', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  for (let i = 0; i < 600 && !/Data:/.test(out); i++) await sleep(50);
  const ui = /UI: +(http:\/\/\S+)/.exec(out)?.[1];
  if (!ui) throw new Error(`warden serve did not start: ${out}`);
  return { child, ui, env, base: new URL('/', ui).href.replace(/\/$/, '') };
}

async function stopServe(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const browser = await chromium.launch({
  executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

// 1. Call arrival -> card painted.
{
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-ui-'));
  mkdirSync(join(dir, 'box'));
  mkdirSync(join(dir, 'home', '.config'), { recursive: true });
  new ServerStore(dataPaths(dir)).add({ name: 'filesystem', transport: 'stdio', command: process.execPath, args: [packageBin('@modelcontextprotocol/server-filesystem'), join(dir, 'box')] });
  const { child, ui, env } = await startServe(dir);
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(ui);
  await page.getByText('Engine connected').waitFor();
  await page.evaluate(() => {
    window.__painted = [];
    new MutationObserver((mutations) => {
      for (const m of mutations)
        for (const node of m.addedNodes) {
          const card = node instanceof HTMLElement ? (node.matches('article[data-approval-id]') ? node : node.querySelector?.('article[data-approval-id]')) : null;
          if (card) requestAnimationFrame(() => window.__painted.push({ id: card.dataset.approvalId, createdAt: card.dataset.createdAt, paintedAt: Date.now() }));
        }
    }).observe(document.body, { childList: true, subtree: true });
  });
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN, 'connect', 'filesystem'], env, stderr: 'ignore' }));
  await client.listTools();
  const fromArrival = [];
  const fromSend = [];
  for (let i = 0; i < CALLS + 3; i++) {
    const sent = Date.now();
    const call = client.callTool({ name: 'write_file', arguments: { path: join(dir, 'box', `f${i}.txt`), content: 'x' } });
    const card = page.locator('article[data-approval-id]');
    await card.waitFor();
    const painted = await page.waitForFunction((n) => window.__painted.length > n && window.__painted[n], i).then((h) => h.jsonValue());
    if (i >= 3) {
      fromArrival.push(painted.paintedAt - Date.parse(painted.createdAt));
      fromSend.push(painted.paintedAt - sent);
    }
    await page.keyboard.press('d');
    await call;
    await card.waitFor({ state: 'detached' });
  }
  fromArrival.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  console.log(`call arrival -> card painted (${CALLS} calls): p50 ${ms(pct(fromArrival, 50))}, p95 ${ms(pct(fromArrival, 95))}, max ${ms(fromArrival.at(-1))}  (target p95 < 150 ms)`);
  console.log(`client sends the call -> card painted:   p50 ${ms(pct(fromSend, 50))}, p95 ${ms(pct(fromSend, 95))}, max ${ms(fromSend.at(-1))}`);
  await client.close();
  await page.close();
  await stopServe(child);
  rmSync(dir, { recursive: true, force: true });
}

// 2. The Activity table over many records.
{
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-ui-'));
  mkdirSync(join(dir, 'home', '.config'), { recursive: true });
  const log = await openAuditLog(dataPaths(dir));
  const started = Date.now();
  const signal = new AbortController().signal;
  const batch = [];
  for (let i = 0; i < RECORDS / 2; i++) {
    const call = { callId: `bench-${i}`, sessionId: 's', client: { id: i % 3 ? 'cursor' : 'claude-desktop', name: i % 3 ? 'Cursor' : 'Claude Desktop' }, server: i % 2 ? 'filesystem' : 'memory', tool: i % 5 ? 'read_file' : 'write_file', arguments: { path: `/p/${i}` }, signal, startedAt: started };
    const decision = i % 7 === 0 ? { effect: 'deny', ruleId: 'tier:standard/high', reasons: ['asks'], approver: 'timeout', status: 'timeout' } : { effect: 'allow', ruleId: 'tier:standard/low', reasons: ['low risk'], approver: 'policy' };
    batch.push(log.decided(call, decision).then(() => log.finished(call, decision, { status: decision.effect === 'deny' ? 'timeout' : 'ok', durationMs: 3 })));
    if (batch.length >= 2000) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  await log.close();
  console.log(`wrote ${RECORDS.toLocaleString()} audit records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const { child, ui, base } = await startServe(dir);
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(ui);
  await page.goto(`${base}/ui/#/activity`);
  const body = page.locator('.vbody');
  await page.getByRole('grid', { name: 'Audit records' }).getByRole('row').nth(2).waitFor();
  const loadStart = Date.now();
  // Page everything in by scrolling to the end until no more arrive.
  let rows = 0;
  for (let i = 0; i < 2000; i++) {
    rows = await body.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      return Number(document.querySelector('.filters [role=status]')?.textContent?.replace(/[^0-9]/g, '') ?? 0);
    });
    if (rows >= RECORDS) break;
    await sleep(20);
  }
  console.log(`Activity: ${rows.toLocaleString()} rows paged in while scrolling in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);
  // The same page's frame times with nothing moving: what this machine gives any page right now.
  const idle = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const times = [];
        let last = performance.now();
        const tick = (now) => {
          times.push(now - last);
          last = now;
          if (times.length > 120) return resolve(times.slice(1).sort((a, b) => a - b));
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
  console.log(`Activity: idle frame p50 ${ms(pct(idle, 50))}, p95 ${ms(pct(idle, 95))} (the baseline on this machine now)`);
  // Smooth scroll from the bottom to the top through every row, one step per frame; record frame times.
  const frames = await body.evaluate(
    (el) =>
      new Promise((resolve) => {
        const times = [];
        let last = performance.now();
        const step = Math.max(400, Math.ceil(el.scrollHeight / 600));
        el.scrollTop = el.scrollHeight;
        const tick = (now) => {
          times.push(now - last);
          last = now;
          if (el.scrollTop <= 0 || times.length > 2000) return resolve(times);
          el.scrollTop -= step;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
  frames.shift();
  // As a mouse wheel or a trackpad scrolls: about 120 px a frame, through the newest rows.
  const wheel = await body.evaluate(
    (el) =>
      new Promise((resolve) => {
        const times = [];
        let last = performance.now();
        el.scrollTop = 0;
        const tick = (now) => {
          times.push(now - last);
          last = now;
          if (times.length > 300) return resolve(times.slice(1).sort((a, b) => a - b));
          el.scrollTop += 120;
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
  console.log(`Activity: wheel-like scrolling (120 px a frame, 300 frames): frame p50 ${ms(pct(wheel, 50))}, p95 ${ms(pct(wheel, 95))}, ${wheel.filter((f) => f > 33.4).length} frames over 33 ms`);
  const sorted = [...frames].sort((a, b) => a - b);
  const long = frames.filter((f) => f > 33.4).length;
  console.log(
    `Activity: scrolling through ${rows.toLocaleString()} rows in ${frames.length} frames: frame p50 ${ms(pct(sorted, 50))}, p95 ${ms(pct(sorted, 95))}, max ${ms(sorted.at(-1))}, ${long} frames over 33 ms (headless Chromium, software rendering)`,
  );
  const domRows = await page.locator('.vbody .vrow').count();
  console.log(`Activity: ${domRows} rows in the DOM at a time (virtualised)`);
  await page.close();
  await stopServe(child);
  rmSync(dir, { recursive: true, force: true });
}

await browser.close();
