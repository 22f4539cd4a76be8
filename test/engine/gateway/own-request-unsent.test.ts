// A request of Warden's own (tools/list when a call names a tool it has not listed) whose send fails: the
// server answers it with an HTTP error, which the SDK reports as a failed send and as a lost connection.
// The call that needed it is still answered, and nothing is left to reject unheard: an unhandled
// rejection would end the engine's process (Node's default). A hand-written Streamable HTTP server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startTestEngine, type TestEngine } from '../../helpers/engine.js';

let mcp: Server;
let t: TestEngine;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  mcp = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'DELETE') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: number | string; method: string };
      if (message.id === undefined) return void res.writeHead(202, { 'mcp-session-id': 's1' }).end();
      const answer = (result: unknown) => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      if (message.method === 'initialize') return void answer({ protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hand', version: '1' } });
      if (message.method === 'tools/list') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('no list today');
      answer({ content: [{ type: 'text', text: 'ran' }] });
    });
  });
  await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(mcp.address() as { port: number }).port}/mcp`;
  t = await startTestEngine([{ name: 'hand', transport: 'http', url }]);
});

after(async () => {
  await t.stop();
  mcp.closeAllConnections();
  await new Promise((resolve) => mcp.close(resolve));
  process.off('unhandledRejection', onUnhandled);
});

/** A call's outcome, refusing any approval it waits for (a tool Warden could not see), which answers it at once. */
async function answered(call: Promise<unknown>): Promise<unknown> {
  const settled = call.then((r) => r, (error: Error) => error);
  for (let i = 0; i < 200; i++) {
    for (const waiting of t.engine.guardian!.listPending()) t.engine.guardian!.answer(waiting.id, { effect: 'deny', scope: 'once' });
    const outcome = await Promise.race([settled, new Promise((r) => setTimeout(() => r(undefined), 25))]);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

test('a tools/list of Warden\'s own that the server answers with an error leaves no rejection unheard, and the call is answered', { timeout: 20_000 }, async () => {
  const client = await t.httpClient('hand');
  // Not listed first: Warden asks the server for its tools before it decides.
  assert.ok((await answered(client.callTool({ name: 'anything', arguments: {} }))) !== undefined, 'the call was answered');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(unhandled.map(String), [], 'no rejection went unheard');
  // The engine still serves the session.
  assert.ok((await answered(client.callTool({ name: 'anything', arguments: {} }))) !== undefined, 'a second call is answered too');
  assert.deepEqual(unhandled.map(String), []);
});
