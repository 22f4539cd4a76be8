// A call whose send to an HTTP server fails in a way that loses the connection (a 400: the server no
// longer knows the session): the SDK reports it twice, as a lost connection (onerror) and as the send's
// rejection. The session answers the call, and puts its outcome on record, once. A hand-written
// Streamable HTTP server that answers every tools/call with 400.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { handHttpServer, type HandServer } from '../../helpers/hand-http-server.js';

let hand: HandServer;
let t: TestEngine;

before(async () => {
  const readNote = { name: 'read_note', description: 'Reads a note.', inputSchema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } };
  hand = await handHttpServer((message, reply) => {
    if (message.method !== 'tools/call') return false;
    reply.fail(400, 'Bad Request: No valid session ID provided');
    return true;
  }, [readNote]);
  t = await startTestEngine([{ name: 'hand', transport: 'http', url: hand.url, tier: 'trusted' }]);
});

after(async () => {
  await t.stop();
  await hand.close();
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
