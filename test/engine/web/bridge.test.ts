// The web bridge mounted on a real engine: launch token -> session cookie, and every refusal a foreign
// page or a request without the cookie meets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type Engine } from '../../../src-main/engine/engine.js';
import { mountWebUi, type MountedUi } from '../../../src-main/engine/web/mount.js';

let engine: Engine;
let ui: MountedUi;
let dir: string;
let port = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-web-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Warden</title><div id="root"></div>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("ui")');
  engine = await startEngine({ dataDir: join(dir, 'data'), port: 0 });
  port = engine.http.port;
  const mounted = mountWebUi(engine, rendererDir);
  assert.ok(mounted, 'the UI mounts when index.html exists');
  ui = mounted;
});

after(async () => {
  ui.bridge.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${port}`;

async function login(): Promise<string> {
  const res = await fetch(ui.launchUrl(), { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/ui/');
  const setCookie = res.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  return setCookie.split(';')[0]!;
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

test('the launch link works once and becomes an HttpOnly, SameSite=Strict session cookie', async () => {
  const url = ui.launchUrl();
  assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/ui/\\?token=[A-Za-z0-9_-]{40,}$`));
  const first = await fetch(url, { redirect: 'manual' });
  assert.equal(first.status, 303);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(cookie, new RegExp(`^warden_session_${port}=`));
  const again = await fetch(url, { redirect: 'manual' });
  assert.equal(again.status, 401, 'a spent launch token is refused');
  assert.match(await again.text(), /already used or has expired/);
  const page = await fetch(`${base()}/ui/`, { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="root">/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
});

test('the UI, the API and the event stream refuse a browser without the session cookie', async () => {
  const page = await fetch(`${base()}/ui/`);
  assert.equal(page.status, 401);
  const api = await post('/api/engine.status', { origin: base() });
  assert.equal(api.status, 401);
  const forged = await post('/api/servers.remove', { origin: base(), cookie: `warden_session_${port}=forged` }, '{"name":"x"}');
  assert.equal(forged.status, 401);
  const otherPort = await post('/api/engine.status', { origin: base(), cookie: (await login()).replace(`_${port}=`, `_${port + 1}=`) });
  assert.equal(otherPort.status, 401, "another engine's cookie is not this one's");
  const events = await fetch(`${base()}/api/events`);
  assert.equal(events.status, 401);
  assert.equal(await codeOf(events), 'unauthenticated');
});

test('a foreign Origin is refused even with a valid session cookie', async () => {
  const cookie = await login();
  for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null']) {
    const res = await post('/api/servers.add', { origin, cookie }, '{"name":"evil","transport":"stdio","command":"sh"}');
    assert.equal(res.status, 403, origin);
  }
  const noOrigin = await post('/api/engine.status', { cookie });
  assert.equal(noOrigin.status, 401, 'a browser POST without Origin is not authenticated');
  const events = await fetch(`${base()}/api/events`, { headers: { cookie, origin: 'http://evil.example' } });
  assert.equal(events.status, 403);
  const list = await post('/api/servers.list', { origin: base(), cookie });
  assert.deepEqual(((await list.json()) as { result: unknown[] }).result, [], 'nothing was added');
});

test('a rebinding Host is refused', async () => {
  const cookie = await login();
  const status = await raw('POST', '/api/engine.status', { host: `evil.example:${port}`, cookie, 'content-type': 'application/json' }, '{}');
  assert.equal(status, 403);
  assert.equal(await raw('GET', '/ui/', { host: `evil.example:${port}`, cookie }), 403);
});

test('state changes cannot come from a form: only a same-origin JSON POST reaches the API', async () => {
  const cookie = await login();
  const form = await fetch(`${base()}/api/servers.add`, {
    method: 'POST',
    headers: { origin: base(), cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=evil',
  });
  assert.equal(form.status, 401);
  const get = await fetch(`${base()}/api/engine.status`, { headers: { cookie } });
  assert.equal(get.status, 401);
  const ok = await post('/api/engine.status', { origin: base(), cookie });
  assert.equal(ok.status, 200);
  const status = ((await ok.json()) as { result: { pid: number; url: string } }).result;
  assert.equal(status.pid, process.pid);
  assert.equal(status.url, base());
});

test('static files cannot escape the renderer folder', async () => {
  const cookie = await login();
  const asset = await fetch(`${base()}/ui/assets/app.js`, { headers: { cookie } });
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  for (const path of ['/ui/%2e%2e/%2e%2e/package.json', '/ui/assets/..%2f..%2f..%2fetc/passwd', '/ui/..%5c..%5cpackage.json']) {
    const status = await raw('GET', path, { cookie });
    assert.ok(status === 404 || status === 401, `${path} answered ${status}`);
  }
});

test('engine events reach the browser as named Server-Sent Events', async () => {
  const cookie = await login();
  const controller = new AbortController();
  const res = await fetch(`${base()}/api/events`, { headers: { cookie }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('warden events')) text += decoder.decode((await reader.read()).value);
  const added = await post('/api/servers.add', { origin: base(), cookie }, JSON.stringify({ name: 'memory', transport: 'stdio', command: 'npx', args: ['mcp-server-memory'] }));
  assert.equal(added.status, 200);
  while (!text.includes('event: servers.changed')) text += decoder.decode((await reader.read()).value);
  assert.match(text, /event: servers\.changed\ndata: \{"servers":\[\{"config":\{[^\n]*"name":"memory"/);
  controller.abort();
  const removed = await post('/api/servers.remove', { origin: base(), cookie }, '{"name":"memory"}');
  assert.equal(removed.status, 200);
});
