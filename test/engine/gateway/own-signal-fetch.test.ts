// Requests to an HTTP server each get their own abort signal (gateway/own-signal-fetch.ts): the
// transport's shared signal keeps no listener of a finished request, and aborting it still ends what is
// open. Real fetch (undici) against a real local HTTP server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { ownSignalFetch } from '../../../src-main/engine/gateway/own-signal-fetch.js';

let server: Server;
let base: string;
const streams = new Set<ServerResponse>();

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else if (req.url === '/json-stalled') {
      // An answer whose headers came and whose body stops half-way.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":');
      streams.add(res);
      res.on('close', () => streams.delete(res));
    } else if (req.url === '/stream-short') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: message\ndata: {"n":1}\n\n');
    } else {
      // An event stream that stays open until the client goes away (media types are case-insensitive:
      // the SDK reads `Text/Event-Stream` as a stream too).
      res.writeHead(200, { 'content-type': req.url === '/stream-caps' ? 'Text/Event-Stream; charset=utf-8' : 'text/event-stream' });
      res.write('event: message\ndata: {"n":1}\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  for (const res of streams) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

test('200 requests with one shared signal leave no listener on it', async () => {
  const shared = new AbortController();
  const fetchOwn = ownSignalFetch();
  for (let i = 0; i < 200; i++) {
    const response = await fetchOwn(`${base}/json`, { signal: shared.signal });
    assert.deepEqual(await response.json(), { ok: true });
  }
  assert.equal(listeners(shared.signal), 0);
  // Plain fetch, for contrast: undici leaves its listeners on the shared signal.
  for (let i = 0; i < 20; i++) await (await fetch(`${base}/json`, { signal: shared.signal })).json();
  assert.ok(listeners(shared.signal) >= 10, `plain fetch left ${listeners(shared.signal)} listeners`);
});

test('an event stream stays linked while open: aborting the shared signal ends it, and the link goes', async () => {
  const shared = new AbortController();
  const response = await ownSignalFetch()(`${base}/stream-open`, { signal: shared.signal });
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  assert.equal(response.url, `${base}/stream-open`);
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /"n":1/);
  assert.equal(listeners(shared.signal), 1, 'linked while the stream is open');
  shared.abort();
  await assert.rejects(reader.read());
  assert.equal(listeners(shared.signal), 0);
});

test('an event stream read to its end, or cancelled by its reader, leaves no listener', async () => {
  const shared = new AbortController();
  const fetchOwn = ownSignalFetch();
  const whole = await fetchOwn(`${base}/stream-short`, { signal: shared.signal });
  assert.match(await whole.text(), /"n":1/);
  const open = await fetchOwn(`${base}/stream-open`, { signal: shared.signal });
  await open.body!.cancel();
  for (let i = 0; i < 50 && listeners(shared.signal) > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(listeners(shared.signal), 0);
});

test('a request whose fetch fails leaves no listener', async () => {
  const shared = new AbortController();
  await assert.rejects(ownSignalFetch()('http://127.0.0.1:1/unreachable', { signal: shared.signal }));
  assert.equal(listeners(shared.signal), 0);
});

test('an event stream named in capitals is linked too: aborting the shared signal ends it', { timeout: 5000 }, async () => {
  const shared = new AbortController();
  const response = await ownSignalFetch()(`${base}/stream-caps`, { signal: shared.signal });
  const reader = response.body!.getReader();
  await reader.read();
  shared.abort();
  await assert.rejects(reader.read());
  assert.equal(listeners(shared.signal), 0);
});

test('an answer stalled half-way is still ended by aborting the shared signal (closing the transport)', { timeout: 5000 }, async () => {
  const shared = new AbortController();
  const response = await ownSignalFetch()(`${base}/json-stalled`, { signal: shared.signal });
  const body = response.json();
  setTimeout(() => shared.abort(), 20);
  await assert.rejects(body, { name: 'AbortError' });
  assert.equal(listeners(shared.signal), 0);
});

test('more than ten requests open at once on one shared signal print no MaxListenersExceededWarning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    const shared = new AbortController();
    const fetchOwn = ownSignalFetch();
    const open = await Promise.all(Array.from({ length: 16 }, () => fetchOwn(`${base}/stream-open`, { signal: shared.signal })));
    assert.equal(listeners(shared.signal), 16);
    await new Promise((resolve) => setImmediate(resolve));
    shared.abort();
    await Promise.all(open.map((response) => assert.rejects(response.text())));
    assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), []);
  } finally {
    process.off('warning', onWarning);
  }
});
