// Requests to an HTTP server each get their own abort signal (gateway/own-signal-fetch.ts): the
// transport's shared signal keeps no listener of a finished request, and aborting it still ends what is
// open. Real fetch (undici) against a real local HTTP server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Downstream } from '../../../src-main/engine/gateway/downstream.js';
import { ownSignalFetch } from '../../../src-main/engine/gateway/own-signal-fetch.js';
import { ServerConfig } from '../../../shared/servers.js';
import { handHttpServer } from '../../helpers/hand-http-server.js';

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
    } else if (req.url === '/error') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('it broke');
    } else if (req.url === '/error-stalled') {
      // An error answer whose text stops half-way.
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.write('it bro');
      streams.add(res);
      res.on('close', () => streams.delete(res));
    } else if (req.url === '/json-broken') {
      // An answer cut off by the server going away half-way.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":', () => setTimeout(() => res.destroy(), 10));
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

test('an error answer read to its end leaves no listener, and reads as plain fetch reads it', async () => {
  const shared = new AbortController();
  const response = await ownSignalFetch()(`${base}/error`, { signal: shared.signal });
  assert.equal(response.status, 500);
  assert.equal(await response.text(), 'it broke');
  assert.equal(listeners(shared.signal), 0);
});

test('an error answer stalled half-way is still ended by aborting the shared signal (closing the transport)', { timeout: 5000 }, async () => {
  const shared = new AbortController();
  const response = await ownSignalFetch()(`${base}/error-stalled`, { signal: shared.signal });
  assert.equal(response.status, 500);
  const text = response.text();
  setTimeout(() => shared.abort(), 20);
  await assert.rejects(text, { name: 'AbortError' });
  assert.equal(listeners(shared.signal), 0);
});

test('an answer the server cuts off fails its reader as plain fetch does, and the link goes', { timeout: 5000 }, async () => {
  const shared = new AbortController();
  const own = await ownSignalFetch()(`${base}/json-broken`, { signal: shared.signal });
  const plain = await fetch(`${base}/json-broken`);
  const failure = (body: Promise<unknown>) => body.then(() => 'read', (error: Error) => `${error.name}: ${error.message}`);
  assert.equal(await failure(own.json()), await failure(plain.json()));
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

test('closing a Downstream to an HTTP server that keeps its session (DELETE: 405) ends its open streams', { timeout: 10_000 }, async () => {
  // A hand-written Streamable HTTP server: the standalone GET stream and a call's event stream stay open
  // until the client goes away; the session cannot be ended by DELETE, so only Warden's close ends them.
  const open = new Map<string, ServerResponse>();
  const closed: string[] = [];
  const keepOpen = (name: string, res: ServerResponse, contentType: string) => {
    res.writeHead(200, { 'content-type': contentType, 'mcp-session-id': 's1' });
    res.write(': open\n\n');
    open.set(name, res);
    res.on('close', () => closed.push(name));
  };
  const mcp = createServer((req, res) => {
    if (req.method === 'GET') return keepOpen('get', res, 'text/event-stream');
    if (req.method === 'DELETE') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: number; method: string };
      if (message.id === undefined) return void res.writeHead(202, { 'mcp-session-id': 's1' }).end();
      if (message.method === 'initialize') {
        const result = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hand', version: '1' } };
        return void res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      }
      keepOpen('call', res, 'Text/Event-Stream');
    });
  });
  await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(mcp.address() as { port: number }).port}/mcp`;
  const messages: unknown[] = [];
  const lost: string[] = [];
  const downstream = new Downstream(ServerConfig.parse({ transport: 'http', url, name: 'hand' }), {
    message: (m) => void messages.push(m),
    lost: (reason) => void lost.push(reason),
    stderr: () => undefined,
  });
  try {
    await downstream.start();
    await downstream.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    assert.equal(messages.length, 1);
    await downstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await downstream.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow', arguments: {} } });
    for (let i = 0; i < 200 && open.size < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([...open.keys()].sort(), ['call', 'get']);
    await downstream.close();
    for (let i = 0; i < 200 && closed.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(closed.sort(), ['call', 'get'], 'the server saw both streams end');
    assert.deepEqual(lost, [], 'a close Warden asked for is no loss');
  } finally {
    for (const res of open.values()) res.destroy();
    mcp.closeAllConnections();
    await new Promise((resolve) => mcp.close(resolve));
  }
});

test('closing a Downstream to an HTTP server that never answers its DELETE does not wait for it', { timeout: 10_000 }, async () => {
  // A session's close (and so the engine's stop) waits on Downstream.close(): a server that takes the
  // DELETE and never answers must not hold it (undici would wait 300 s for the headers).
  let deleteClosed = false;
  const mcp = createServer((req, res) => {
    if (req.method === 'DELETE') return void res.on('close', () => (deleteClosed = true));
    if (req.method === 'GET') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: number };
      if (message.id === undefined) return void res.writeHead(202, { 'mcp-session-id': 's1' }).end();
      const result = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'hand', version: '1' } };
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    });
  });
  await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(mcp.address() as { port: number }).port}/mcp`;
  const downstream = new Downstream(ServerConfig.parse({ transport: 'http', url, name: 'hand' }), { message: () => undefined, lost: () => undefined, stderr: () => undefined });
  try {
    await downstream.start();
    await downstream.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const started = Date.now();
    await downstream.close();
    assert.ok(Date.now() - started < 4000, `close took ${Date.now() - started} ms`);
    for (let i = 0; i < 100 && !deleteClosed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(deleteClosed, 'the DELETE left waiting is ended too');
  } finally {
    mcp.closeAllConnections();
    await new Promise((resolve) => mcp.close(resolve));
  }
});

test('closing a Downstream whose HTTP server stalls an error answer half-way ends the call waiting on it', { timeout: 10_000 }, async () => {
  // The SDK reads an error answer's text before it fails the call; a server that sends the status and
  // part of the text, then nothing, must not hold the call (nor the session's close) after Warden closes.
  let stalledClosed = false;
  const hand = await handHttpServer((message, { res }) => {
    if (message.method !== 'tools/call') return false;
    res.writeHead(500, { 'content-type': 'text/plain', 'mcp-session-id': 's1' });
    res.write('Internal error: the tool ');
    res.on('close', () => (stalledClosed = true));
    return true;
  });
  const url = hand.url;
  const downstream = new Downstream(ServerConfig.parse({ transport: 'http', url, name: 'hand' }), { message: () => undefined, lost: () => undefined, stderr: () => undefined });
  try {
    await downstream.start();
    await downstream.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const call = downstream.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'broken', arguments: {} } }).then(() => 'sent', (error: Error) => `failed: ${error.message}`);
    const early = await Promise.race([call, new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    assert.equal(early, 'waiting', 'the call waits for the rest of the error text');
    await downstream.close();
    const outcome = await Promise.race([call, new Promise((r) => setTimeout(() => r('still waiting 3 s after close'), 3000))]);
    assert.match(String(outcome), /^failed: /, 'the call ends with an error once Warden closes');
    for (let i = 0; i < 100 && !stalledClosed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(stalledClosed, 'the server saw the stalled answer end');
  } finally {
    await hand.close();
  }
});
