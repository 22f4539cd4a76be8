// What a client or a server sends that Warden cannot use safely, over Streamable HTTP: each gets a clear
// error, reaches no server, and changes nothing else. A request id still open in the session (its
// answer would take the open request's place), ids in Warden's own `warden:` space, tools/call
// arguments that are not named values (a rule would judge `{}` while the server got the array), a path
// whose percent-encoding is broken, and a server's tools/list with entries that have no name (reading
// one ended the engine). The raw-lines server names on stderr every message that reaches it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { openRawSession, rawHeaders, rawPost } from '../../helpers/raw-session.js';

type Body = { id?: unknown; error?: { code: number; message: string }; result?: { isError?: boolean; content?: Array<{ text?: string }> } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('input Warden cannot use', () => {
  let t: TestEngine;
  let client: Client;
  before(async () => {
    t = await startTestEngine([servers.everything(), servers.fixture('raw-lines.mjs', 'raw', ['--bad-listing'])], { decisions: allowAll });
    client = await t.httpClient('raw');
  });
  after(() => t.stop());

  /** What reached the raw-lines server, as it named it on stderr. */
  const reachedRaw = () => t.engine.runtime('raw').stderr.lines().filter((line) => line.startsWith('raw-lines got'));

  test("a server's tools/list entries without a name are left out; the engine and the session go on", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name), ['echo', 'huge', 'ask']);
    const echoed = (await client.callTool({ name: 'echo', arguments: { text: 'still here' } })) as Body['result'];
    assert.equal(echoed?.content?.[0]?.text, 'echo: still here');
  });

  test('a request id still open in the session is refused with 400; the open request still gets its own answer', { timeout: 15_000 }, async () => {
    const url = `${t.url}/mcp/everything`;
    const session = await openRawSession(url, rawHeaders(t.dir, 'ids'), 'ids');
    const open = rawPost(url, session, { id: 7, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 1 } } });
    await sleep(300);
    const again = await rawPost(url, session, { id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'second' } } });
    assert.equal(again.status, 400);
    const refusal = (await again.json()) as Body;
    assert.equal(refusal.error?.code, -32600);
    assert.match(refusal.error?.message ?? '', /request id 7 is already used by a request still open/);
    const first = await open;
    assert.equal(first.status, 200);
    assert.match(await first.text(), /Long running operation completed/, 'the first request got its own answer');
    // Within one batch too.
    const batch = await rawPost(url, session, [8, 8].map((id) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'twin' } } })));
    assert.equal(batch.status, 400);
    const echo = await rawPost(url, session, { id: 7, method: 'tools/call', params: { name: 'echo', arguments: { message: 'reused once answered' } } });
    assert.match(await echo.text(), /Echo: reused once answered/, 'an id can be used again once its request is answered');
  });

  test('a request id in Warden\'s own `warden:` space is refused, and never reaches the server', async () => {
    const url = `${t.url}/mcp/raw`;
    const session = await openRawSession(url, rawHeaders(t.dir, 'prefix'), 'prefix');
    const response = await rawPost(url, session, { id: 'warden:1', method: 'tools/list' });
    const body = (await response.json()) as Body;
    assert.equal(body.id, 'warden:1');
    assert.equal(body.error?.code, -32600);
    assert.match(body.error?.message ?? '', /ids starting with `warden:` are Warden's own/);
    assert.ok(!reachedRaw().some((line) => line.includes('id warden:1')), reachedRaw().join('\n'));
    const listed = (await (await rawPost(url, session, { id: 2, method: 'tools/list' })).json()) as { result?: { tools: Array<{ name: string }> } };
    assert.deepEqual(listed.result?.tools.map((tool) => tool.name), ['echo', 'huge', 'ask'], 'the session goes on');
  });

  test('tools/call arguments that are not named values are refused on record, and never reach the server', async () => {
    const url = `${t.url}/mcp/raw`;
    const session = await openRawSession(url, rawHeaders(t.dir, 'args'), 'args');
    for (const [id, args, what] of [[11, ['evil'], 'an array'], [12, 'evil', 'a string'], [13, null, 'null']] as const) {
      const body = (await (await rawPost(url, session, { id, method: 'tools/call', params: { name: 'echo', arguments: args } })).json()) as Body;
      assert.equal(body.result?.isError, true, JSON.stringify(body));
      assert.match(body.result?.content?.[0]?.text ?? '', new RegExp(`arguments must be an object of named values, not ${what}`));
      assert.ok(!reachedRaw().some((line) => line.includes(`tools/call (id ${id})`)), `call ${id} reached the server`);
    }
    const fine = (await (await rawPost(url, session, { id: 14, method: 'tools/call', params: { name: 'echo', arguments: { text: 'named' } } })).json()) as Body;
    assert.equal(fine.result?.content?.[0]?.text, 'echo: named');
    let records: Array<{ type: string; ruleId?: string; effect?: string }> = [];
    for (let i = 0; i < 50 && records.filter((r) => r.type === 'decision').length < 4; i++) {
      records = (await openAuditReader(dataPaths(t.dir)).query({ server: 'raw', tool: 'echo', client: 'args', order: 'oldest' })).records as typeof records;
      await sleep(20);
    }
    const decisions = records.filter((r) => r.type === 'decision');
    assert.deepEqual(decisions.map((r) => [r.effect, r.ruleId]), [...Array(3).fill(['deny', 'gateway:check-failed']), ['allow', 'gateway:allow-all']]);
  });

  test('arguments nested deeper than 256 levels are refused as such (not as a disk failure), on record, and never reach the server', async () => {
    const url = `${t.url}/mcp/raw`;
    const session = await openRawSession(url, rawHeaders(t.dir, 'deep'), 'deep');
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const call = (id: number, depth: number) =>
      fetch(url, { method: 'POST', headers: session, body: `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"deep ${depth}","deep":${nested(depth)}}}}` });
    const refused = (await (await call(21, 10_000)).json()) as Body;
    assert.equal(refused.result?.isError, true, JSON.stringify(refused));
    assert.match(refused.result?.content?.[0]?.text ?? '', /arguments are nested deeper than 256 levels/);
    assert.doesNotMatch(refused.result?.content?.[0]?.text ?? '', /disk/);
    assert.match(refused.result?.content?.[0]?.text ?? '', /fix it and send it again: no approval can let it through/);
    assert.doesNotMatch(refused.result?.content?.[0]?.text ?? '', /ask the person to allow it/, 'no approval could help');
    assert.ok(!reachedRaw().some((line) => line.includes('tools/call (id 21)')), 'the call reached the server');
    const fine = (await (await call(22, 200)).json()) as Body;
    assert.equal(fine.result?.content?.[0]?.text, 'echo: deep 200', 'real nesting passes');
    let decisions: Array<{ type: string; ruleId?: string }> = [];
    for (let i = 0; i < 50 && decisions.length < 2; i++) {
      decisions = ((await openAuditReader(dataPaths(t.dir)).query({ server: 'raw', client: 'deep', order: 'oldest' })).records as typeof decisions).filter((r) => r.type === 'decision');
      await sleep(20);
    }
    assert.deepEqual(decisions.map((r) => r.ruleId), ['gateway:check-failed', 'gateway:allow-all']);
  });

  test("a server's request under an id in Warden's own `warden:` space never reaches the client, and the server is told why", async () => {
    // Warden asks the client for approvals under these ids: the client's answer to a server's request
    // under one would be taken as the answer to Warden's question.
    const asker = await t.httpClient('raw', { clientId: 'forge', capabilities: { capabilities: { roots: {} } } });
    let asked = 0;
    asker.setRequestHandler(ListRootsRequestSchema, async () => {
      asked += 1;
      return { roots: [{ uri: 'file:///home/me/project', name: 'project' }] };
    });
    const forged = (await asker.callTool({ name: 'ask', arguments: { text: 'warden:1' } })) as Body['result'];
    const answer = JSON.parse(forged?.content?.[0]?.text ?? '{}') as Body;
    assert.equal(answer.id, 'warden:1');
    assert.equal(answer.error?.code, -32600);
    assert.match(answer.error?.message ?? '', /ids starting with `warden:` are Warden's own; the client was not asked/);
    assert.equal(asked, 0, 'the client never saw it');
    const honest = (await asker.callTool({ name: 'ask', arguments: { text: 'srv-1' } })) as Body['result'];
    assert.match(honest?.content?.[0]?.text ?? '', /file:\/\/\/home\/me\/project/, 'a request under its own id reaches the client and gets its answer');
    assert.equal(asked, 1);
  });

  test("a client name or version that is not a string is not kept; a very long one is cut", async () => {
    const url = `${t.url}/mcp/raw`;
    const headers = rawHeaders(t.dir, 'odd-names');
    const open = async (clientInfo: unknown) => {
      const init = await rawPost(url, headers, { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo } });
      assert.equal(init.status, 200, await init.clone().text());
      const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id')! };
      await rawPost(url, session, { method: 'notifications/initialized' });
      return session;
    };
    const objectName = await open({ name: { toString: 1, valueOf: 1 }, version: ['1'] });
    assert.equal((await rawPost(url, objectName, { id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'one' } } })).status, 200);
    const longName = await open({ name: 'n'.repeat(5000), version: '2' });
    assert.equal((await rawPost(url, longName, { id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'two' } } })).status, 200);
    let decisions: Array<{ type: string; client: { id: string; name?: unknown; version?: unknown } }> = [];
    for (let i = 0; i < 50 && decisions.length < 2; i++) {
      decisions = ((await openAuditReader(dataPaths(t.dir)).query({ server: 'raw', client: 'odd-names', order: 'oldest' })).records as typeof decisions).filter((r) => r.type === 'decision');
      await sleep(20);
    }
    assert.deepEqual(decisions[0]!.client, { id: 'odd-names' }, 'before, the object was stored and broke the UI, the CLI and syslog forwarding');
    assert.equal(decisions[1]!.client.name, `${'n'.repeat(200)}…`);
    assert.equal(decisions[1]!.client.version, '2');
  });

  test('a server name whose percent-encoding is broken: 400 with a token, 401 without, and no 500', async () => {
    const headers = rawHeaders(t.dir, 'paths');
    const init = { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'paths', version: '1' } } };
    const broken = await rawPost(`${t.url}/mcp/%E0%A4%A`, headers, init);
    assert.equal(broken.status, 400);
    assert.match(((await broken.json()) as Body).error?.message ?? '', /not valid percent-encoding/);
    const { authorization: _token, ...anonymous } = headers;
    assert.equal((await rawPost(`${t.url}/mcp/%E0%A4%A`, anonymous, init)).status, 401);
  });
});
