// `warden connect --all`: a stdio client gets every server's tools in one session, named
// <server>__<tool> as on the aggregated endpoint /mcp. A real SDK client over the real bridge, real
// server-everything and server-memory; each call passes the guardian and the audit log under its real
// server and tool names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { AuditRecordView } from '../../../shared/api/audit.js';
import { socketPath } from '../../../src-main/engine/gateway/socket.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { directClient, servers, startTestEngine, WARDEN_BIN, type TestEngine } from '../../helpers/engine.js';

const text = (r: unknown) => ((r as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join(' ');

describe('warden connect --all', () => {
  let t: TestEngine;
  let client: Client;

  before(async () => {
    t = await startTestEngine([servers.everything(), servers.memory()], { decisions: allowAll });
    client = new Client({ name: 'connect-all-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'connect', '--all', '--client', 'desktop'], env: { ...process.env, WARDEN_DATA_DIR: t.dir } as Record<string, string>, stderr: 'pipe' }),
    );
  });
  after(async () => {
    await client.close();
    await t.stop();
  });

  test("lists every server's tools as <server>__<tool>", async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(names.includes('everything__echo'), names.join(', '));
    assert.ok(names.includes('memory__create_entities'), names.join(', '));
    assert.ok(names.every((name) => name.startsWith('everything__') || name.startsWith('memory__')), names.join(', '));
  });

  test('a call returns what the direct call returns, and is on record under its real server, tool and client', async () => {
    const direct = await directClient(servers.everything());
    try {
      const expected = await direct.callTool({ name: 'echo', arguments: { message: 'through --all' } });
      const got = await client.callTool({ name: 'everything__echo', arguments: { message: 'through --all' } });
      assert.deepEqual(got, expected);
    } finally {
      await direct.close();
    }
    let records: AuditRecordView[] = [];
    for (let i = 0; i < 200 && !records.some((r) => r.type === 'outcome'); i++) {
      const page = await t.engine.api('audit.query', { tool: 'echo', order: 'newest', limit: 20 });
      assert.ok(page.ok, JSON.stringify(page));
      records = (page.result as { records: AuditRecordView[] }).records;
      if (!records.some((r) => r.type === 'outcome')) await new Promise((r) => setTimeout(r, 25));
    }
    const outcome = records.find((r) => r.type === 'outcome');
    assert.ok(outcome, 'the call is on record');
    assert.equal(outcome.server, 'everything');
    assert.equal(outcome.tool, 'echo');
    assert.equal(outcome.client?.id, 'desktop');
  });

  test('a handshake that names a server and asks for all servers is refused', async () => {
    const token = new TokenStore(dataPaths(t.dir)).clientToken('desktop');
    const socket = connect(socketPath(dataPaths(t.dir)));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(JSON.stringify({ warden: 'connect', server: 'everything', all: true, token }) + '\n');
    await closed;
    const answer = JSON.parse(reply.split('\n')[0]!) as { warden: string; code?: string; message?: string };
    assert.equal(answer.warden, 'error');
    assert.equal(answer.code, 'bad_input');
    assert.match(answer.message ?? '', /one or the other/);
  });

  test('a tool name without a known server gets a clear error, and the session goes on', async () => {
    const refused = await client.callTool({ name: 'nosuch__echo', arguments: { message: 'x' } }).then(
      (r) => text(r),
      (error: Error) => error.message,
    );
    assert.match(refused, /nosuch/);
    const again = await client.callTool({ name: 'memory__read_graph', arguments: {} });
    assert.notEqual(again.isError, true, text(again));
  });
});

test('`warden connect` needs a server or --all, not both and not neither', () => {
  for (const args of [['connect'], ['connect', 'everything', '--all']]) {
    const run = spawnSync(process.execPath, [WARDEN_BIN, ...args], { encoding: 'utf8', input: '' });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, /warden connect --all/);
  }
});
