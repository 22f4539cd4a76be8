// The aggregated endpoint /mcp: one real SDK client over Streamable HTTP sees the tools of every
// configured server (real server-everything and server-memory) as <server>__<tool>; each call still
// passes the guardian and the audit log under the real server and tool names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { AuditRecordView } from '../../../shared/api/audit.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { directClient, servers, startTestEngine, tempDir, waitForApprovals, type TestEngine } from '../../helpers/engine.js';

const text = (r: unknown) => ((r as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join(' ');

async function aggregateClient(t: TestEngine, clientId: string, capabilities: ConstructorParameters<typeof Client>[1] = { capabilities: {} }): Promise<Client> {
  const token = new TokenStore(dataPaths(t.dir)).clientToken(clientId);
  const client = new Client({ name: 'aggregate-test', version: '2.0.0' }, capabilities);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

async function auditRecords(t: TestEngine, match: (r: AuditRecordView) => boolean, count: number): Promise<AuditRecordView[]> {
  for (let i = 0; i < 200; i++) {
    const page = await t.engine.api('audit.query', { order: 'newest', limit: 200 });
    assert.ok(page.ok, JSON.stringify(page));
    const records = (page.result as { records: AuditRecordView[] }).records.filter(match);
    if (records.length >= count) return records;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the audit records did not appear');
}

async function rpcError(p: Promise<unknown>): Promise<McpError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof McpError, String(error));
    return error;
  }
  assert.fail('expected a JSON-RPC error');
}

const capabilities = { capabilities: { sampling: {}, roots: { listChanged: true } } };

describe('the aggregated endpoint /mcp', () => {
  let t: TestEngine;
  let client: Client;
  let direct: Client;
  const serverRequests: string[] = [];

  before(async () => {
    t = await startTestEngine([
      servers.everything(),
      servers.memory(),
      // Configured, but its command does not exist: left out of the list, the others still listed.
      { name: 'missing', transport: 'stdio', command: 'warden-no-such-command-xyz', args: [] },
      servers.fixture('cancellable.mjs', 'slow'),
    ]);
    const g = t.engine.guardian!;
    for (const tool of ['echo', 'trigger-long-running-operation', 'trigger-sampling-request', 'get-roots-list']) g.addRule({ server: 'everything', tool, effect: 'allow' });
    for (const tool of ['create_entities', 'read_graph']) g.addRule({ server: 'memory', tool, effect: 'allow' });
    g.addRule({ server: 'slow', tool: 'wait', effect: 'allow' });
    g.addRule({ server: 'everything', tool: 'get-sum', effect: 'deny', note: 'no sums here' });
    // Allowed, so that the call reaches the server instead of waiting for an approval that never comes.
    g.addRule({ server: 'everything', tool: 'no-such-tool', effect: 'allow' });
    client = await aggregateClient(t, 'cursor', capabilities);
    client.setRequestHandler(CreateMessageRequestSchema, async () => {
      serverRequests.push('sampling');
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled through /mcp' } };
    });
    client.setRequestHandler(ListRootsRequestSchema, async () => {
      serverRequests.push('roots');
      return { roots: [{ uri: 'file:///tmp/aggregate-root', name: 'aggregate-root' }] };
    });
    direct = await directClient(servers.everything(), capabilities);
  });
  after(async () => {
    await client?.close();
    await direct?.close();
    await t?.stop();
  });

  test('initialize is answered by Warden: tools with listChanged, the protocol version the client asked for', () => {
    assert.equal(client.getServerVersion()?.name, 'warden');
    assert.deepEqual(client.getServerCapabilities(), { tools: { listChanged: true } });
    assert.match(client.getInstructions() ?? '', /<server>__<tool>/);
  });

  test("tools/list shows every server's tools as <server>__<tool>, definitions unchanged; a server that cannot start is left out", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    assert.ok(names.includes('everything__echo'), names.join(', '));
    assert.ok(names.includes('memory__create_entities'), names.join(', '));
    assert.ok(names.includes('memory__read_graph'));
    assert.ok(!names.some((n) => n.startsWith('missing__')));
    assert.equal(t.engine.runtime('missing').state, 'failed');
    const everything = (await direct.listTools()).tools.map((tool) => ({ ...tool, name: `everything__${tool.name}` }));
    assert.deepEqual(
      tools.filter((tool) => tool.name.startsWith('everything__')),
      everything,
      'same definitions (titles, schemas, annotations) as direct, with the prefixed name',
    );
  });

  test('calling everything__echo returns exactly what a direct call returns', async () => {
    const args = { message: 'hello through /mcp' };
    assert.deepEqual(await client.callTool({ name: 'everything__echo', arguments: args }), await direct.callTool({ name: 'echo', arguments: args }));
    const created = await client.callTool({ name: 'memory__create_entities', arguments: { entities: [{ name: 'warden', entityType: 'gateway', observations: ['aggregated'] }] } });
    assert.ok(!created.isError, text(created));
    assert.match(text(await client.callTool({ name: 'memory__read_graph', arguments: {} })), /aggregated/);
  });

  test('the audit records of an aggregated call name the real server and tool and the client', async () => {
    await client.callTool({ name: 'everything__echo', arguments: { message: 'audited' } });
    const records = await auditRecords(t, (r) => r.server === 'everything' && r.tool === 'echo', 4);
    assert.deepEqual(new Set(records.map((r) => r.type)), new Set(['decision', 'outcome']));
    for (const r of records) {
      assert.equal(r.client?.id, 'cursor', 'the client of the token');
      assert.equal(r.client?.name, 'aggregate-test', 'the clientInfo the client gave at initialize');
    }
    assert.ok(records.some((r) => r.type === 'decision' && r.effect === 'allow' && r.ruleId?.startsWith('rule:')), JSON.stringify(records[0]));
    const page = await t.engine.api('audit.query', { order: 'newest', limit: 500 });
    const all = (page as { result: { records: AuditRecordView[] } }).result.records;
    assert.ok(!all.some((r) => r.tool?.includes('__')), 'no record names a namespaced tool');
  });

  test('a call the policy refuses is refused with the reason, and recorded as denied', async () => {
    const refused = await client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /Warden policy denied the call to tool `get-sum` on server `everything`/);
    const [decision] = await auditRecords(t, (r) => r.type === 'decision' && r.tool === 'get-sum', 1);
    assert.equal(decision!.server, 'everything');
    assert.equal(decision!.effect, 'deny');
  });

  test('progress notifications of a long-running tool reach the client', async () => {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    assert.equal(result.isError ?? false, false, text(result));
    // server-everything sends its last progress racing its result (direct too), so expect the first steps.
    assert.deepEqual(seen.slice(0, 2), [1, 2]);
  });

  test("a server's own requests (sampling, roots) reach the client and its answers go back to that server", async () => {
    const sampled = await client.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'say hi', maxTokens: 5 } });
    assert.match(text(sampled), /sampled through \/mcp/);
    const roots = await client.callTool({ name: 'everything__get-roots-list', arguments: {} });
    assert.match(text(roots), /aggregate-root/);
    // server-everything also asks for the roots on its own once the session starts.
    assert.ok(serverRequests.includes('sampling') && serverRequests.includes('roots'), serverRequests.join(','));
  });

  test('a call that asks: the approval question reaches the client (elicitation) with progress while it waits, and the answer lets it through', async () => {
    t.engine.guardian!.setApprovalSettings({ progressSeconds: 0.1 });
    const asking = await aggregateClient(t, 'vscode', { capabilities: { elicitation: {} } });
    const questions: string[] = [];
    asking.setRequestHandler(ElicitRequestSchema, async (request) => {
      questions.push(request.params.message);
      await new Promise((r) => setTimeout(r, 400));
      return { action: 'accept', content: { decision: 'allow_once' } };
    });
    const progress: string[] = [];
    const deleted = await asking.callTool({ name: 'memory__delete_entities', arguments: { entityNames: ['nobody'] } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ''),
    });
    assert.ok(!deleted.isError, text(deleted));
    assert.equal(questions.length, 1);
    assert.match(questions[0]!, /wants to call memory\/delete_entities/);
    assert.ok(progress.length >= 1, 'progress kept the request alive while it waited');
    const [decision] = await auditRecords(t, (r) => r.type === 'decision' && r.tool === 'delete_entities', 1);
    assert.equal(decision!.server, 'memory');
    assert.equal(decision!.approver, 'user:elicitation');
    await asking.close();
  });

  test('a call the client cancels while it waits for approval: the approval is withdrawn, the server never gets it, and it ends on record', async () => {
    const abort = new AbortController();
    const call = client.callTool({ name: 'memory__delete_entities', arguments: { entityNames: ['warden'] } }, undefined, { signal: abort.signal });
    const [waiting] = await waitForApprovals(t);
    assert.equal(waiting!.tool, 'delete_entities');
    abort.abort('changed my mind');
    await assert.rejects(call);
    for (let i = 0; i < 200 && t.engine.guardian!.listPending().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(t.engine.guardian!.listPending(), [], 'the approval is withdrawn');
    const [decision] = await auditRecords(t, (r) => r.type === 'decision' && r.tool === 'delete_entities' && r.approver === 'client', 1);
    assert.equal(decision!.server, 'memory');
    const [outcome] = await auditRecords(t, (r) => r.type === 'outcome' && r.callId === decision!.callId, 1);
    assert.equal(decision!.status, 'cancelled');
    assert.equal(outcome!.status, 'cancelled');
    assert.match(text(await client.callTool({ name: 'memory__read_graph', arguments: {} })), /aggregated/, 'the entity is still there');
  });

  test('an unknown server is answered with a clear JSON-RPC error; an unknown tool gets its server\'s own answer, on record', async () => {
    const server = await rpcError(client.callTool({ name: 'nosuch__echo', arguments: {} }));
    assert.equal(server.code, -32602);
    assert.match(server.message, /Unknown tool `nosuch__echo`: no configured server is named before `__`/);
    assert.match(server.message, /everything, memory, missing, slow/);
    const empty = await rpcError(client.callTool({ name: 'memory__', arguments: {} }));
    assert.match(empty.message, /Unknown tool `memory__`: no tool name after `memory__`/, 'not "no configured server"');
    // A tool the server does not have goes to it, as on /mcp/<server>: its own answer comes back, and
    // the attempt is on record under the real names.
    const tool = await client.callTool({ name: 'everything__no-such-tool', arguments: {} }).then(
      (result) => ({ isError: result.isError === true, message: text(result) }),
      (error: Error) => ({ isError: true, message: error.message }),
    );
    assert.ok(tool.isError, 'an error, not a result');
    assert.match(tool.message, /no-such-tool/);
    assert.doesNotMatch(tool.message, /Warden|approv/i, "the server's own answer, not Warden's");
    const [attempt] = await auditRecords(t, (r) => r.type === 'decision' && r.tool === 'no-such-tool', 1);
    assert.equal(attempt!.server, 'everything');
    const failed = await rpcError(client.callTool({ name: 'missing__anything', arguments: {} }));
    assert.match(failed.message, /warden-no-such-command-xyz/);
  });

  test("a call the client cancels is cancelled at its server (under the server's own request id)", async () => {
    await assert.rejects(client.callTool({ name: 'slow__wait', arguments: {} }, undefined, { timeout: 300 }), /timed out/i);
    for (let i = 0; i < 200 && !t.engine.runtime('slow').stderr.lines().some((l) => l.includes('wait cancelled')); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(t.engine.runtime('slow').stderr.lines().some((l) => l.includes('wait cancelled')), 'the server saw the cancellation');
    assert.match(text(await client.callTool({ name: 'everything__echo', arguments: { message: 'still here' } })), /still here/);
  });

  test('resources and prompts are not aggregated: lists are empty, other methods name /mcp/<server>', async () => {
    assert.deepEqual((await client.listResources()).resources, []);
    assert.deepEqual((await client.listPrompts()).prompts, []);
    const error = await rpcError(client.getPrompt({ name: 'simple-prompt' }));
    assert.equal(error.code, -32601);
    assert.match(error.message, /Connect to \/mcp\/<server>/);
    assert.deepEqual(await client.ping(), {});
  });

  test('a server removed while the session is open: the client is told to list again, once', async () => {
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void (changed += 1));
    await client.listTools();
    const removed = await t.engine.api('servers.remove', { name: 'missing' });
    assert.ok(removed.ok, JSON.stringify(removed));
    for (let i = 0; i < 200 && changed === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(changed, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(changed, 1, 'one notification, not one per event');
    const unknown = await rpcError(client.callTool({ name: 'missing__anything', arguments: {} }));
    assert.match(unknown.message, /no configured server/);
  });
});

describe('the aggregated endpoint: access and lifetime', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.everything(), servers.fixture('cancellable.mjs', 'slow')]);
    t.engine.guardian!.addRule({ server: 'slow', tool: 'wait', effect: 'allow' });
  });
  after(() => t.stop());

  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
  const post = (headers: Record<string, string>) =>
    fetch(`${t.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) });

  test('no token: 401', async () => {
    const res = await post({});
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { data: { code: string } } }).error.data.code, 'unauthorized');
  });

  test('an evil Origin: 403, even with a valid token', async () => {
    const token = new TokenStore(dataPaths(t.dir)).clientToken('cursor');
    const res = await post({ authorization: `Bearer ${token}`, origin: 'http://evil.example' });
    assert.equal(res.status, 403);
  });

  test('a valid token: the session starts (and an unknown protocol version gets the latest)', async () => {
    const token = new TokenStore(dataPaths(t.dir)).clientToken('cursor');
    const res = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ ...initialize, params: { ...initialize.params, protocolVersion: '1999-01-01' } }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { result: { protocolVersion: string; serverInfo: { name: string } } };
    assert.equal(body.result.serverInfo.name, 'warden');
    assert.match(body.result.protocolVersion, /^\d{4}-\d\d-\d\d$/);
    assert.notEqual(body.result.protocolVersion, '1999-01-01');
    const sessionId = res.headers.get('mcp-session-id')!;
    // The session belongs to /mcp: it is not found on a server's endpoint.
    const elsewhere = await fetch(`${t.url}/mcp/everything`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    assert.equal(elsewhere.status, 404);
    await fetch(`${t.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId } });
  });

  test("ending the session (DELETE) ends each server's session it opened", async () => {
    const token = new TokenStore(dataPaths(t.dir)).clientToken('cursor');
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
    const client = new Client({ name: 'aggregate-test', version: '2.0.0' });
    await client.connect(transport);
    await client.listTools();
    assert.equal(t.engine.runtime('everything').sessions, 1);
    assert.equal(t.engine.runtime('slow').sessions, 1);
    await transport.terminateSession();
    for (let i = 0; i < 200 && t.engine.runtime('everything').sessions + t.engine.runtime('slow').sessions > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(t.engine.runtime('everything').sessions, 0);
    assert.equal(t.engine.runtime('slow').sessions, 0);
    await client.close();
  });

  test('Warden stopping while an aggregated call is open: the client is told, not left waiting', async () => {
    const client = await aggregateClient(t, 'cursor');
    const pending = client.callTool({ name: 'slow__wait', arguments: {} }, undefined, { timeout: 10_000 });
    await auditRecords(t, (r) => r.type === 'decision' && r.tool === 'wait', 1); // written just before it is forwarded
    await new Promise((r) => setTimeout(r, 100));
    const stopping = t.engine.stop();
    await assert.rejects(pending, /The call did not complete: Warden is stopping/);
    await stopping;
    await client.close().catch(() => undefined);
  });
});

describe('the aggregated endpoint under managed policy', () => {
  let t: TestEngine;
  let policy: { dir: string; remove(): void };

  before(async () => {
    policy = tempDir('warden-managed-');
    const path = join(policy.dir, 'managed-policy.json');
    t = await startTestEngine([servers.everything(), servers.fixture('faulty.mjs', 'other')], { managedPolicy: { path, pollMs: 50 } });
    // The server was configured before IT forbade it (a server forbidden already cannot be added).
    writeFileSync(path, JSON.stringify({ version: 1, managedBy: 'Example Corp IT', servers: { other: { forbidden: true, reason: 'not approved by security' } } }));
    for (let i = 0; i < 400 && t.engine.managed.state().state !== 'active'; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(t.engine.managed.state().state, 'active');
  });
  after(async () => {
    await t.stop();
    policy.remove();
  });

  test('a server IT forbids is left out of the list and logged; a call to it is refused naming who forbade it', async () => {
    const client = await aggregateClient(t, 'cursor');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(names.includes('everything__echo'), 'the other servers are still listed');
    assert.ok(!names.some((n) => n.startsWith('other__')), names.join(', '));
    const log = readFileSync(join(t.dir, 'logs', 'engine.log'), 'utf8');
    assert.match(log, /"event":"aggregate.server_left_out","server":"other"[^\n]*"code":"locked"/);
    const refused = await rpcError(client.callTool({ name: 'other__ok', arguments: {} }));
    assert.match(refused.message, /forbidden by Example Corp IT/);
    assert.equal((refused.data as { code?: string } | undefined)?.code, 'locked');
    await client.close();
  });
});
