// The web bridge against a hostile page in the same browser, signed in to Warden: another origin on this
// machine (same site, other port) tries every way a page can send a state-changing request, read the
// events, or frame the UI. None gets through, and its server never receives Warden's session (a cookie
// would have reached it: browsers send a host's cookies to every port).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { launchBrowser, serve, type Served } from './kit.js';

describe('a foreign page cannot use the signed-in web UI', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let ui: Page;
  let evil: Server;
  let evilUrl = '';
  const seen: Array<{ method: string; url: string; status: number }> = [];
  /** Every header the hostile server received from the browser. */
  const evilHeard: string[] = [];
  /** Every URL the UI tab requested or navigated to (what the browser's history could keep). */
  const uiUrls: string[] = [];

  before(async () => {
    served = await serve(() => []);
    browser = await launchBrowser();
    context = await browser.newContext();
    ui = await context.newPage();
    ui.on('request', (r) => uiUrls.push(r.url()));
    ui.on('framenavigated', (f) => uiUrls.push(f.url()));
    await ui.goto(served.uiUrl);
    await ui.getByText('Engine connected').waitFor();
    const target = served.baseUrl;
    const body = JSON.stringify({ name: 'evil', transport: 'stdio', command: 'sh', args: ['-c', 'id'] });
    const page = `<!doctype html><html><body>
<form id="f" method="POST" action="${target}/api/servers.add" enctype="text/plain" target="sink"><input name='${body.slice(0, -1)},"pad":"' value='"}'></form>
<iframe name="sink"></iframe><iframe id="frame" src="${target}/ui/"></iframe>
<script>
window.results = {};
(async () => {
  const r = window.results;
  try { const x = await fetch('${target}/api/servers.add', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '${body}' }); r.json = x.status; } catch (e) { r.json = 'blocked: ' + e.message; }
  try { await fetch('${target}/api/servers.add', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '${body}' }); r.simple = 'sent'; } catch (e) { r.simple = 'blocked: ' + e.message; }
  try { const x = await fetch('${target}/api/servers.list', { method: 'POST', credentials: 'include', body: '{}' }); r.read = await x.text(); } catch (e) { r.read = 'blocked: ' + e.message; }
  await new Promise((done) => { const es = new EventSource('${target}/api/events', { withCredentials: true }); es.onopen = () => { r.events = 'open'; es.close(); done(); }; es.onerror = () => { r.events = 'error'; es.close(); done(); }; });
  document.getElementById('f').submit();
  r.done = true;
})();
</script></body></html>`;
    evil = createServer((req, res) => {
      evilHeard.push(JSON.stringify(req.headers));
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => evil?.close(r));
    await served?.stop();
  });

  test('state changes, reads, events and framing from another origin all fail; the UI itself still works', async () => {
    const attacker = await context.newPage();
    attacker.on('response', (r) => {
      if (r.url().startsWith(served.baseUrl)) seen.push({ method: r.request().method(), url: r.url(), status: r.status() });
    });
    await attacker.goto(evilUrl);
    await attacker.waitForFunction(() => (globalThis as unknown as { results: { done?: boolean } }).results.done === true, undefined, { timeout: 20_000 });
    await attacker.waitForTimeout(500);
    const results = await attacker.evaluate(() => (globalThis as unknown as { results: Record<string, unknown> }).results);
    assert.match(String(results.json), /^blocked/, 'a JSON POST from another origin is stopped by CORS');
    assert.match(String(results.read), /^blocked/, 'another origin cannot read API answers');
    assert.equal(results.events, 'error', 'another origin cannot open the event stream');
    for (const hit of seen.filter((h) => h.url.includes('/api/'))) {
      assert.ok(hit.status === 401 || hit.status === 403, `${hit.method} ${hit.url} answered ${hit.status}`);
    }
    const frame = attacker.frames().find((f) => f.url().startsWith(served.baseUrl));
    const framed = frame ? await frame.locator('nav').count().catch(() => 0) : 0;
    assert.equal(framed, 0, 'the UI does not render inside another origin\'s frame');
    // Nothing was added, as the person's own UI shows.
    await ui.getByRole('link', { name: 'Servers & tools' }).click();
    await ui.getByRole('region', { name: /^Server / }).first().waitFor();
    const names = await ui.getByRole('region', { name: /^Server / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.ok(names.length > 0 && !names.includes('Server evil'), JSON.stringify(names));
  });

  test("the other port's server never receives Warden's session, and no URL of the tab carries it", async () => {
    const secret = await ui.evaluate(() => sessionStorage.getItem('warden.session'));
    assert.ok(secret && secret.length >= 40, 'the UI tab keeps its session');
    assert.ok(!ui.url().includes(secret), `the address bar shows ${ui.url()}`);
    assert.ok(!ui.url().includes('token='), `the address bar still shows the launch token: ${ui.url()}`);
    assert.ok(uiUrls.length > 3, 'the UI tab made requests');
    const leaked = uiUrls.filter((u) => u.includes(secret));
    assert.deepEqual(leaked, [], 'no URL the tab visited or requested carries the session (history keeps URLs)');
    const visit = await context.newPage();
    await visit.goto(evilUrl);
    await visit.close();
    assert.ok(evilHeard.length >= 2, 'the hostile server was visited');
    for (const heard of evilHeard) {
      assert.ok(!heard.includes(secret), `it received the session: ${heard}`);
      assert.ok(!/warden/i.test(heard), `it received something of Warden's: ${heard}`);
    }
  });
});
