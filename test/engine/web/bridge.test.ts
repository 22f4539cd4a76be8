// The web bridge on a real HTTP server on loopback: launch token -> session cookie, and every refusal a
// foreign page or a request without the cookie meets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createWebBridge, type WebBridge } from '../../../src-main/engine/web/bridge.js';
import type { EventListener } from '../../../src-main/engine/web/events.js';

let server: Server;
let bridge: WebBridge;
let port = 0;
let rendererDir: string;
const listeners = new Set<EventListener>();
const calls: Array<{ method: string; input: unknown }> = [];

before(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'warden-ui-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Warden</title><div id="root"></div>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("ui")');
  bridge = createWebBridge({
    port: () => port,
    rendererDir,
    heartbeatMs: 50,
    dispatch: async (method, input) => {
      calls.push({ method, input });
      if (method === 'engine.status') return { ok: true, result: { ok: 'yes', input } };
      return { ok: false, status: 404, error: { code: 'not_found', message: `Unknown API method \`${method}\`.` } };
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  server = createServer((req, res) => {
    void bridge.handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end('not the bridge');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  bridge.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(rendererDir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${port}`;

async function login(): Promise<string> {
  const res = await fetch(bridge.launchUrl(), { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/ui/');
  const setCookie = res.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  return setCookie.split(';')[0]!;
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

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

function post(path: string, headers: Record<string, string>, body = '{}') {
  return fetch(base() + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

test('the launch link works once and becomes an HttpOnly, SameSite=Strict session cookie', async () => {
  const url = bridge.launchUrl();
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

test('the UI and the API refuse a browser without the session cookie', async () => {
  const page = await fetch(`${base()}/ui/`);
  assert.equal(page.status, 401);
  const api = await post('/api/engine.status', { origin: base() });
  assert.equal(api.status, 401);
  assert.equal((await codeOf(api)), 'unauthenticated');
  const forged = await post('/api/engine.status', { origin: base(), cookie: `warden_session_${port}=forged` });
  assert.equal(forged.status, 401);
  const events = await fetch(`${base()}/api/events`);
  assert.equal(events.status, 401);
  assert.equal(calls.length, 0, 'nothing reached the engine');
});

test('a foreign Origin is refused even with a valid session cookie', async () => {
  const cookie = await login();
  for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null']) {
    const res = await post('/api/engine.status', { origin, cookie });
    assert.equal(res.status, 403, origin);
    assert.equal((await codeOf(res)), 'forbidden_origin');
  }
  const noOrigin = await post('/api/engine.status', { cookie });
  assert.equal(noOrigin.status, 403, 'a POST without Origin is refused');
  const events = await fetch(`${base()}/api/events`, { headers: { cookie, origin: 'http://evil.example' } });
  assert.equal(events.status, 403);
  assert.equal(calls.length, 0);
});

test('a rebinding Host is refused', async () => {
  const cookie = await login();
  const res = await raw('POST', '/api/engine.status', { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, cookie, 'content-type': 'application/json' }, '{}');
  assert.equal(res, 403);
});

test('state changes cannot come from a form: only a same-origin JSON POST reaches the API', async () => {
  const cookie = await login();
  const form = await fetch(`${base()}/api/engine.status`, { method: 'POST', headers: { origin: base(), cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  assert.equal(form.status, 415);
  const get = await fetch(`${base()}/api/engine.status`, { headers: { cookie } });
  assert.equal(get.status, 405);
  const ok = await post('/api/engine.status', { origin: base(), cookie }, '{"x":1}');
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { ok: 'yes', input: { x: 1 } });
  const unknown = await post('/api/nope', { origin: base(), cookie });
  assert.equal(unknown.status, 404);
  assert.equal((await codeOf(unknown)), 'not_found');
  const bad = await post('/api/engine.status', { origin: base(), cookie }, '{oops');
  assert.equal(bad.status, 400);
  assert.equal((await codeOf(bad)), 'invalid_json');
});

test('requests with an Authorization header are left to the engine (the CLI\'s admin token)', async () => {
  const res = await fetch(`${base()}/api/engine.status`, { method: 'POST', headers: { authorization: 'Bearer x' } });
  assert.equal(res.status, 418);
});

test('static files cannot escape the renderer folder', async () => {
  const cookie = await login();
  const asset = await fetch(`${base()}/ui/assets/app.js`, { headers: { cookie } });
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /javascript/);
  for (const path of ['/ui/../package.json', '/ui/../../package.json', '/ui/%2e%2e/%2e%2e/etc/passwd', '/ui/assets/..%2f..%2f..%2fetc/passwd']) {
    const status = await raw('GET', path, { cookie });
    assert.ok(status === 404 || status === 418, `${path}: ${status}`);
  }
});

test('events arrive as named Server-Sent Events', async () => {
  const cookie = await login();
  const controller = new AbortController();
  const res = await fetch(`${base()}/api/events`, { headers: { cookie }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('warden events')) text += decoder.decode((await reader.read()).value);
  for (const listener of listeners) listener('servers.changed', { servers: [] });
  while (!text.includes('event: servers.changed')) text += decoder.decode((await reader.read()).value);
  assert.match(text, /event: servers\.changed\ndata: \{"servers":\[\]\}\n\n/);
  controller.abort();
});
