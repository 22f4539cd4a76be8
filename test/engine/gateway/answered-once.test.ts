// A call whose send to an HTTP server fails in a way that loses the connection (a 400: the server no
// longer knows the session): the SDK reports it twice, as a lost connection (onerror) and as the send's
// rejection. The session answers the call, and puts its outcome on record, once. A hand-written
// Streamable HTTP server that answers every tools/call with 400.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { startTestEngine, type TestEngine } from '../../helpers/engine.js';

let mcp: Server;
let t: TestEngine;

before(async () => {
  mcp = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'DELETE') return void res.writeHead(405).end();
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: number | string; method: string };
      if (message.id === undefined) return void res.writeHead(202, { 'mcp-session-id': 's1' }).end();
      const answer = (result: unknown) => res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      if (message.method === 'initialize') return void answer({ protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hand', version: '1' } });
      if (message.method === 'tools/list') {
        return void answer({ tools: [{ name: 'read_note', description: 'Reads a note.', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } }] });
      }
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad Request: No valid session ID provided');
    });
  });
  await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(mcp.address() as { port: number }).port}/mcp`;
  t = await startTestEngine([{ name: 'hand', transport: 'http', url, tier: 'trusted' }]);
});

after(async () => {
  await t.stop();
  mcp.closeAllConnections();
  await new Promise((resolve) => mcp.close(resolve));
});

test('a call whose server fails while it is sent is answered once, and its outcome is on record once', { timeout: 20_000 }, async () => {
  const client = await t.httpClient('hand');
  await client.listTools();
  const result = await client.callTool({ name: 'read_note', arguments: {} }).then((r) => r, (error: Error) => error);
  assert.ok(result instanceof Error, `the call fails: ${JSON.stringify(result)}`);
  assert.match(result.message, /hand/);
  await new Promise((r) => setTimeout(r, 300)); // outcome records may share the next write
  const records = (await openAuditReader(dataPaths(t.dir)).query({ server: 'hand', tool: 'read_note', order: 'oldest' })).records;
  assert.deepEqual(records.map((r) => r.type), ['decision', 'outcome'], JSON.stringify(records.map((r) => [r.type, (r as { status?: string }).status])));
  assert.equal((records[1] as { status?: string }).status, 'error');
});
