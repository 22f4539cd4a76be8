// The web bridge mounted on a real engine: launch token -> a session secret handed to the page in the
// URL fragment (never a cookie), and every refusal a foreign page or a request without the secret meets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type Engine } from '../../../src-main/engine/engine.js';
import { mountWebUi, type MountedUi } from '../../../src-main/engine/web/mount.js';
import { BrowserSessions } from '../../../src-main/engine/web/sessions.js';

let engine: Engine;
let ui: MountedUi;
let dir: string;
let port = 0;
/** The bridge's clock for session lifetimes: moved on by the test that needs a session to end. */
let clock = Date.now();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-web-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Warden</title><div id="root"></div>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("ui")');
  engine = await startEngine({ dataDir: join(dir, 'data'), port: 0 });
  port = engine.http.port;
  const mounted = mountWebUi(engine, rendererDir, { heartbeatMs: 100, now: () => clock });
  assert.ok(mounted, 'the UI mounts when index.html exists');
  ui = mounted;
});

after(async () => {
  ui.bridge.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${port}`;

/** Spends a launch link as the page does: GET it (nothing is spent), then POST the token. */
async function secret(): Promise<string> {
  const link = new URL(ui.launchUrl());
  const page = await fetch(link, { redirect: 'manual' });
  assert.equal(page.status, 200, 'the link serves the page');
  assert.equal(page.headers.get('set-cookie'), null, 'no cookie: a browser would send it to every port of 127.0.0.1');
  const res = await fetch(`${base()}/api/session`, { method: 'POST', headers: { origin: base(), 'content-type': 'application/json' }, body: JSON.stringify({ token: link.searchParams.get('token') }) });
  assert.equal(res.status, 200);
  const session = ((await res.json()) as { session: string }).session;
  assert.match(session, /^[A-Za-z0-9_-]{40,}$/);
  return session;
}

/** The header the page sends with its session. */
async function login(): Promise<Record<string, string>> {
  return { 'x-warden-session': await secret() };
}

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

/** A request exactly as written (fetch() normalises paths and will not set Host). */
function raw(method: string, path: string, headers: Record<string, string>, body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (r) => {
      r.resume();
      resolve(r.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(path: string, headers: Record<string, string>, body = '{}') {
  return fetch(base() + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

test('the launch link serves the page without being spent; the page spends it once, by a same-origin POST, for a secret in the answer', async () => {
  const url = ui.launchUrl();
  assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/ui/\\?token=[A-Za-z0-9_-]{40,}$`));
  const token = new URL(url).searchParams.get('token')!;
  for (const method of ['HEAD', 'GET', 'GET']) {
    const page = await fetch(url, { method, redirect: 'manual' });
    assert.equal(page.status, 200, `${method}: a preview or prefetch does not burn the link`);
  }
  const redeem = (headers: Record<string, string>, body = JSON.stringify({ token })) => fetch(`${base()}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  assert.equal((await redeem({ origin: 'http://evil.example' })).status, 403, 'another origin cannot spend it');
  assert.equal((await redeem({})).status, 403, 'nor a request without Origin');
  const first = await redeem({ origin: base() });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('set-cookie'), null);
  assert.equal(first.headers.get('cache-control'), 'no-store');
  const again = await redeem({ origin: base() });
  assert.equal(again.status, 401, 'a spent launch token is refused');
  const spentPage = await fetch(url, { redirect: 'manual' });
  assert.equal(spentPage.status, 401);
  assert.match(await spentPage.text(), /already used or has expired/);
  const page = await fetch(`${base()}/ui/`);
  assert.equal(page.status, 200, 'the page itself holds nothing secret');
  assert.match(await page.text(), /<div id="root">/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
});

test('an open event stream keeps its session alive, and ends once the session has ended', async () => {
  const session = await login();
  const res = await fetch(`${base()}/api/events`, { headers: session });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  await new Promise((r) => setTimeout(r, 300)); // heartbeats while the tab listens: the session is in use
  clock += 11 * 3_600_000;
  await new Promise((r) => setTimeout(r, 300));
  clock += 11 * 3_600_000; // 22 h on, but used all along
  assert.equal((await post('/api/engine.status', { origin: base(), ...session })).status, 200, 'a tab that listens is a tab in use');
  const other = await login();
  clock += 13 * 3_600_000 + 1; // and now unused for 13 h: the first heartbeat after this finds both sessions gone?
  assert.equal((await post('/api/engine.status', { origin: base(), ...other })).status, 401, 'a session unused for 13 hours has ended');
  const deadline = Date.now() + 10_000;
  let ended = false;
  // The stream's own session was used at its last heartbeat, up to 100 ms of real time before the jump.
  while (!ended && Date.now() < deadline) ended = (await reader.read()).done;
  assert.equal(ended, true, 'before, an ended session kept receiving events');
  assert.equal((await post('/api/engine.status', { origin: base(), ...session })).status, 401);
});

test('the API and the event stream refuse a request without the session secret, with a wrong one, or with it as a cookie', async () => {
  const api = await post('/api/engine.status', { origin: base() });
  assert.equal(api.status, 401);
  const forged = await post('/api/servers.remove', { origin: base(), 'x-warden-session': 'forged' }, '{"name":"x"}');
  assert.equal(forged.status, 401);
  const asCookie = await post('/api/engine.status', { origin: base(), cookie: `warden_session_${port}=${await secret()}` });
  assert.equal(asCookie.status, 401, 'the secret counts only in its header, never as a cookie a browser sends by itself');
  const events = await fetch(`${base()}/api/events`);
  assert.equal(events.status, 401);
  assert.equal(await codeOf(events), 'unauthenticated');
});

test('a foreign Origin is refused even with a valid session', async () => {
  const session = await login();
  for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null']) {
    const res = await post('/api/servers.add', { origin, ...session }, '{"name":"evil","transport":"stdio","command":"sh"}');
    assert.equal(res.status, 403, origin);
  }
  const noOrigin = await post('/api/engine.status', session);
  assert.equal(noOrigin.status, 401, 'a browser POST without Origin is not authenticated');
  const events = await fetch(`${base()}/api/events`, { headers: { ...session, origin: 'http://evil.example' } });
  assert.equal(events.status, 403);
  const list = await post('/api/servers.list', { origin: base(), ...session });
  assert.deepEqual(((await list.json()) as { result: unknown[] }).result, [], 'nothing was added');
});

test('a rebinding Host is refused', async () => {
  const session = await login();
  const status = await raw('POST', '/api/engine.status', { host: `evil.example:${port}`, ...session, 'content-type': 'application/json' }, '{}');
  assert.equal(status, 403);
  assert.equal(await raw('GET', '/ui/', { host: `evil.example:${port}`, ...session }), 403);
});

test('state changes cannot come from a form: only a same-origin JSON POST reaches the API', async () => {
  const session = await login();
  const form = await fetch(`${base()}/api/servers.add`, {
    method: 'POST',
    headers: { origin: base(), ...session, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=evil',
  });
  assert.equal(form.status, 401);
  const get = await fetch(`${base()}/api/engine.status`, { headers: session });
  assert.equal(get.status, 401);
  const ok = await post('/api/engine.status', { origin: base(), ...session });
  assert.equal(ok.status, 200);
  const status = ((await ok.json()) as { result: { pid: number; url: string } }).result;
  assert.equal(status.pid, process.pid);
  assert.equal(status.url, base());
});

test('static files cannot escape the renderer folder', async () => {
  const session = await login();
  const asset = await fetch(`${base()}/ui/assets/app.js`, { headers: session });
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  for (const path of ['/ui/%2e%2e/%2e%2e/package.json', '/ui/assets/..%2f..%2f..%2fetc/passwd', '/ui/..%5c..%5cpackage.json']) {
    const status = await raw('GET', path, session);
    assert.ok(status === 404 || status === 401, `${path} answered ${status}`);
  }
});

test('engine events reach the browser as named Server-Sent Events', async () => {
  const session = await login();
  const controller = new AbortController();
  const res = await fetch(`${base()}/api/events`, { headers: session, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('warden events')) text += decoder.decode((await reader.read()).value);
  const added = await post('/api/servers.add', { origin: base(), ...session }, JSON.stringify({ name: 'memory', transport: 'stdio', command: 'npx', args: ['mcp-server-memory'] }));
  assert.equal(added.status, 200);
  while (!text.includes('event: servers.changed')) text += decoder.decode((await reader.read()).value);
  assert.match(text, /event: servers\.changed\ndata: \{"servers":\[\{"config":\{[^\n]*"name":"memory"/);
  controller.abort();
  const removed = await post('/api/servers.remove', { origin: base(), ...session }, '{"name":"memory"}');
  assert.equal(removed.status, 200);
});

test('a browser session unused for 12 hours ends; one in use stays', () => {
  let now = 0;
  const sessions = new BrowserSessions(() => now);
  const idle = sessions.redeem(sessions.issueLaunchToken())!;
  const busy = sessions.redeem(sessions.issueLaunchToken())!;
  for (let hour = 1; hour <= 13; hour += 1) {
    now = hour * 3_600_000;
    assert.equal(sessions.isSession(busy), true, `in use at hour ${hour}`);
  }
  assert.equal(sessions.isSession(idle), false, 'unused since hour 0');
  const late = sessions.issueLaunchToken();
  now += 11 * 60_000;
  assert.equal(sessions.redeem(late), undefined, 'a launch link expires after ten minutes');
});
