// An HTTP server that answers one request with a server error (5xx) or a rate limit (429)
// (gateway/downstream.ts): that call fails with the server's words, as for a client connected directly,
// while the server's session and the calls beside it go on. A 400 or 404 (the server's session is gone),
// and a server that stops answering, lose the connection, so the calls waiting on it are answered at
// once. Then a session restart whose replayed steps fail leaves no half-started server. Hand-written
// Streamable HTTP servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Downstream } from '../../../src-main/engine/gateway/downstream.js';
import { startTestEngine } from '../../helpers/engine.js';
import { handHttpServer, type HandServer } from '../../helpers/hand-http-server.js';
import { httpErrorStatus } from '../../../src-main/engine/mcp/sdk.js';
import { ServerConfig } from '../../../shared/servers.js';
import type { JSONRPCMessage } from '../../../src-main/engine/mcp/sdk.js';

/** `fail-500`, `busy-429`, `stale-400` and `gone-404` answer with that status; `slow` answers after 300 ms; others at once. */
function handServer(): Promise<HandServer> {
  const statuses: Record<string, [number, string]> = {
    'fail-500': [500, 'the tool fell over'],
    'busy-429': [429, 'slow down'],
    'stale-400': [400, 'Bad Request: No valid session ID provided'],
    'gone-404': [404, 'no such session'],
  };
  return handHttpServer((message, reply) => {
    const tool = message.params?.name;
    if (message.method !== 'tools/call' || tool === undefined) return false;
    const status = statuses[tool];
    if (status) reply.fail(...status);
    else if (tool === 'slow') setTimeout(() => reply.answer({ content: [{ type: 'text', text: 'ran slow' }] }), 300);
    else return false;
    return true;
  });
}

async function open(url: string) {
  const messages: JSONRPCMessage[] = [];
  const lost: string[] = [];
  const downstream = new Downstream(ServerConfig.parse({ transport: 'http', url, name: 'hand' }), {
    message: (m) => void messages.push(m),
    lost: (reason) => void lost.push(reason),
    stderr: () => undefined,
  });
  await downstream.start();
  await downstream.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  await downstream.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { downstream, messages, lost };
}

const call = (id: number, name: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
const settled = (p: Promise<unknown>) => p.then(() => 'sent', (error: Error) => `failed: ${error.message}`);
const answerTo = (messages: JSONRPCMessage[], id: number) => messages.find((m) => (m as { id?: unknown }).id === id);

test('a 500 for one call fails that call with the server\'s words; the call beside it and the session go on', { timeout: 10_000 }, async () => {
  const hand = await handServer();
  const { downstream, messages, lost } = await open(hand.url);
  try {
    const slow = settled(downstream.send(call(2, 'slow')));
    const failed = await settled(downstream.send(call(3, 'fail-500')));
    assert.match(failed, /^failed: .*the tool fell over/);
    assert.equal(await slow, 'sent');
    for (let i = 0; i < 100 && !answerTo(messages, 2); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((answerTo(messages, 2) as { result?: unknown }).result, { content: [{ type: 'text', text: 'ran slow' }] }, 'the call beside it got its own answer');
    assert.deepEqual(lost, [], 'one error answer does not lose the server');
    assert.equal(downstream.alive, true);
    assert.equal(await settled(downstream.send(call(4, 'next'))), 'sent');
    for (let i = 0; i < 100 && !answerTo(messages, 4); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(answerTo(messages, 4), 'the next call is answered on the same session');
    assert.equal(hand.seen.filter((m) => m === 'initialize').length, 1, 'the server was not initialized again');
  } finally {
    await downstream.close();
    await hand.close();
  }
});

test('a 429 for one call fails that call alone too', { timeout: 10_000 }, async () => {
  const hand = await handServer();
  const { downstream, lost } = await open(hand.url);
  try {
    assert.match(await settled(downstream.send(call(2, 'busy-429'))), /^failed: .*slow down/);
    assert.deepEqual(lost, []);
    assert.equal(downstream.alive, true);
  } finally {
    await downstream.close();
    await hand.close();
  }
});

for (const [tool, why] of [['stale-400', 'the 400 many servers send for a session they no longer know'], ['gone-404', "the server's session is gone"]] as const) {
  test(`a ${tool.slice(-3)} (${why}) loses the connection, so the session starts a new one`, { timeout: 10_000 }, async () => {
    const hand = await handServer();
    const { downstream, lost } = await open(hand.url);
    try {
      assert.match(await settled(downstream.send(call(2, tool))), /^failed: /);
      assert.equal(lost.length, 1);
      assert.equal(downstream.alive, false);
    } finally {
      await downstream.close();
      await hand.close();
    }
  });
}

test('a server that no longer answers at all loses the connection', { timeout: 10_000 }, async () => {
  const hand = await handServer();
  const { downstream, lost } = await open(hand.url);
  await hand.close();
  try {
    assert.match(await settled(downstream.send(call(2, 'anything'))), /^failed: /);
    assert.equal(lost.length, 1);
  } finally {
    await downstream.close();
  }
});

test('httpErrorStatus reads the SDK\'s StreamableHTTPError and nothing else', async () => {
  const { StreamableHTTPError } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  assert.equal(httpErrorStatus(new StreamableHTTPError(500, 'Error POSTing to endpoint: x')), 500);
  assert.equal(httpErrorStatus(new StreamableHTTPError(-1, 'Unexpected content type: text/html')), undefined);
  assert.equal(httpErrorStatus(new TypeError('fetch failed')), undefined);
  assert.equal(httpErrorStatus(Object.assign(new Error('HTTP 500'), { code: 500 })), undefined);
  assert.equal(httpErrorStatus('Streamable HTTP error: 500'), undefined);
});

test('a restart whose replayed notifications/initialized gets a 500 leaves the server failed, not half-started; the next call starts it again', { timeout: 20_000 }, async () => {
  // The first call's 400 loses the connection; the next call restarts it, and Warden replays the
  // client's initialize and notifications/initialized. The server refuses the replayed notification once.
  let initialized = 0;
  let calls = 0;
  const note = { name: 'note', description: 'Reads a note.', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } };
  const hand = await handHttpServer((message, reply) => {
    if (message.method === 'notifications/initialized' && ++initialized === 2) {
      reply.fail(500, 'not now');
      return true;
    }
    if (message.method !== 'tools/call') return false;
    if (++calls === 1) reply.fail(400, 'Bad Request: No valid session ID provided');
    else reply.answer({ content: [{ type: 'text', text: 'the note' }] });
    return true;
  }, [note]);
  const url = hand.url;
  const seen = hand.seen;
  const t = await startTestEngine([{ name: 'hand', transport: 'http', url, tier: 'trusted' }]);
  try {
    const client = await t.httpClient('hand');
    await client.listTools();
    const text = (r: unknown) => (r instanceof Error ? `error: ${r.message}` : JSON.stringify(r));
    const first = await client.callTool({ name: 'note', arguments: {} }).then((r) => r, (e: Error) => e);
    assert.ok(first instanceof Error, text(first));
    const second = await client.callTool({ name: 'note', arguments: {} }).then((r) => r, (e: Error) => e);
    assert.ok(second instanceof Error, `the restart failed, so the call fails: ${text(second)}`);
    assert.match(second.message, /restarted but did not initialize/);
    assert.equal(t.engine.runtime('hand').state, 'failed', 'not left "starting"');
    const third = await client.callTool({ name: 'note', arguments: {} }).then((r) => r, (e: Error) => e);
    assert.ok(!(third instanceof Error), text(third));
    assert.equal(text(third).includes('the note'), true, text(third));
    assert.equal(t.engine.runtime('hand').state, 'running');
    assert.equal(seen.filter((m) => m === 'initialize').length, 3, 'the first session, the failed restart, the restart that worked');
  } finally {
    await t.stop();
    await hand.close();
  }
});
