// Faults: servers that crash, hang or never start; bad requests from clients. Each gets a clear
// answer, and nothing else changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { servers, startTestEngine, WARDEN_BIN, type TestEngine } from '../../helpers/engine.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('downstream faults', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine(
      [
        servers.fixture('faulty.mjs', 'faulty'),
        { name: 'missing', transport: 'stdio', command: 'warden-no-such-command-xyz', args: [] },
        { name: 'exits', transport: 'stdio', command: process.execPath, args: ['-e', 'process.stderr.write("boom: bad config\\n"); process.exit(3)'] },
      ],
      { decisions: allowAll },
    );
  });
  after(() => t.stop());

  test('a server that crashes during a call: the client gets a clear error at once, and the next call restarts it', async () => {
    const client = await t.httpClient('faulty');
    const first = await client.callTool({ name: 'ok', arguments: {} });
    const pid1 = /pid=(\d+)/.exec(JSON.stringify(first))![1];
    // A 5 s client timeout: a hang would surface as a timeout, not as Warden's crash error.
    await assert.rejects(client.callTool({ name: 'crash', arguments: {} }, undefined, { timeout: 5000 }), (error: McpError) => {
      assert.match(error.message, /Server `faulty` stopped during the call/);
      assert.match(error.message, /restart it on the next call/);
      return true;
    });
    assert.equal(t.engine.runtime('faulty').state, 'crashed');
    assert.ok(t.engine.runtime('faulty').stderr.lines().some((l) => l.includes('crashing now')), 'stderr is kept for the UI');
    const second = await client.callTool({ name: 'ok', arguments: { text: 'again' } });
    const pid2 = /pid=(\d+)/.exec(JSON.stringify(second))![1];
    assert.notEqual(pid1, pid2, 'a new server process answered');
    assert.equal(t.engine.runtime('faulty').state, 'running');
  });

  test('a server that exits during a call while a process it started holds its output: the client gets the error within a second or so', async () => {
    const client = await t.httpClient('faulty');
    await client.callTool({ name: 'ok', arguments: {} });
    const started = Date.now();
    try {
      await assert.rejects(client.callTool({ name: 'orphan', arguments: {} }, undefined, { timeout: 5000 }), (error: McpError) => {
        assert.match(error.message, /Server `faulty` stopped during the call \(the process exited \(exit code 5\), and a process it started still holds its output\)/);
        return true;
      });
      assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
      const again = await client.callTool({ name: 'ok', arguments: { text: 'again' } });
      assert.match(JSON.stringify(again), /ok again/, 'the next call restarts it');
    } finally {
      const orphan = t.engine.runtime('faulty').stderr.lines().map((l) => /orphan pid=(\d+)/.exec(l)?.[1]).find(Boolean);
      if (orphan) process.kill(Number(orphan), 'SIGKILL');
    }
  });

  test('a server that closes its output and keeps running: the open call is answered, the process stopped, the next call restarts it', async () => {
    const client = await t.httpClient('faulty');
    await client.callTool({ name: 'ok', arguments: {} });
    const started = Date.now();
    await assert.rejects(client.callTool({ name: 'mute', arguments: {} }, undefined, { timeout: 5000 }), (error: McpError) => {
      assert.match(error.message, /Server `faulty` stopped during the call \(the process closed its output and kept running\)/);
      return true;
    });
    assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
    const muted = Number(t.engine.runtime('faulty').stderr.lines().map((l) => /closing stdout pid=(\d+)/.exec(l)?.[1]).findLast(Boolean));
    const alive = () => {
      try {
        process.kill(muted, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!alive(), `process ${muted} was stopped`);
    const again = await client.callTool({ name: 'ok', arguments: { text: 'again' } });
    assert.match(JSON.stringify(again), /ok again/, 'the next call restarts it');
  });

  test('a server whose command does not exist: the error names the command', async () => {
    await assert.rejects(t.httpClient('missing'), /`warden-no-such-command-xyz` not found on PATH/);
    assert.equal(t.engine.runtime('missing').state, 'failed');
  });

  test('a server that exits at start: the client is told, not left hanging', async () => {
    await assert.rejects(t.httpClient('exits'), (error: Error) => /exits|stopped|closed/i.test(error.message));
    assert.ok(t.engine.runtime('exits').stderr.lines().some((l) => l.includes('boom: bad config')));
  });

  test('a server that hangs: the client can cancel, and the session keeps working', async () => {
    const client = await t.httpClient('faulty');
    await assert.rejects(client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 300 }), /timed out/i);
    const ok = await client.callTool({ name: 'ok', arguments: { text: 'after hang' } });
    assert.match(JSON.stringify(ok), /ok after hang/);
  });

  test('engine stopping while a call is open: the client is told', async () => {
    const t2 = await startTestEngine([servers.fixture('faulty.mjs', 'faulty')], { decisions: allowAll });
    const client = await t2.httpClient('faulty');
    const pending = client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    const stopping = t2.stop();
    await assert.rejects(pending, (error: Error) => !/timed out/i.test(error.message));
    await stopping;
  });
});

describe('bad requests over HTTP', () => {
  let t: TestEngine;
  let token: string;
  before(async () => {
    t = await startTestEngine([servers.everything()], { decisions: allowAll });
    token = new TokenStore(dataPaths(t.dir)).clientToken('raw');
  });
  after(() => t.stop());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });

  test('no token, or a wrong one: 401', async () => {
    assert.equal((await post('/mcp/everything', JSON.stringify(INIT))).status, 401);
    const wrong = await post('/mcp/everything', JSON.stringify(INIT), { authorization: 'Bearer not-a-real-token-0000000000000000000000' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.equal((await fetch(`${t.url}/api/engine.status`, { method: 'POST' })).status, 401);
  });

  test('a client token cannot call the admin API', async () => {
    const response = await post('/api/servers.list', '{}', { authorization: `Bearer ${token}` });
    assert.equal(response.status, 401);
  });

  test('a foreign Origin or Host: 403 (DNS rebinding)', async () => {
    const evilOrigin = await post('/mcp/everything', JSON.stringify(INIT), { authorization: `Bearer ${token}`, origin: 'http://evil.example' });
    assert.equal(evilOrigin.status, 403);
    const refusal = (await evilOrigin.json()) as { jsonrpc?: string; error?: { message: string; data?: { code?: string } } };
    assert.equal(refusal.jsonrpc, '2.0', 'an MCP client reads a JSON-RPC error');
    assert.equal(refusal.error?.data?.code, 'forbidden');
    // fetch will not forge Host, so speak HTTP by hand.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${t.url}/mcp/everything`, { method: 'POST', headers: { host: 'evil.example:80', authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    assert.equal(status, 403);
  });

  test('an unknown server: 404 with a message that says what to do', async () => {
    const response = await post('/mcp/nosuch', JSON.stringify(INIT), { authorization: `Bearer ${token}` });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /Unknown server `nosuch`.*warden servers add/);
  });

  test('malformed JSON-RPC: a parse error, and nothing else changes', async () => {
    const response = await post('/mcp/everything', '{"jsonrpc": "2.0", "id": 1, "method": ', { authorization: `Bearer ${token}` });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: number } };
    assert.equal(body.error.code, -32700);
    const client = await t.httpClient('everything');
    assert.match(JSON.stringify(await client.callTool({ name: 'echo', arguments: { message: 'still fine' } })), /still fine/);
  });

  test('a request that is not an initialize, without a session: 400, and no session is opened, counted or logged', async () => {
    const log = join(dataPaths(t.dir).logs, 'engine.log');
    const opened = () => readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"session.opened"')).length;
    const before = opened();
    const sessions = () => t.engine.serverViews().find((v) => v.config.name === 'everything')?.sessions;
    const sessionsBefore = sessions();
    const changes: unknown[] = [];
    const off = t.engine.on('servers.changed', (c) => void changes.push(c));
    try {
      for (const path of ['/mcp/everything', '/mcp']) {
        const response = await post(path, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), { authorization: `Bearer ${token}` });
        assert.equal(response.status, 400, path);
        assert.match(((await response.json()) as { error: { message: string } }).error.message, /not initialized/);
        const broken = await post(path, '{"jsonrpc": "2.0", "id": 1, "method": ', { authorization: `Bearer ${token}` });
        assert.equal(broken.status, 400, path);
      }
      assert.equal(opened(), before, 'the engine log has no session.opened for them');
      assert.equal(sessions(), sessionsBefore, 'no session is counted for them');
      assert.deepEqual(changes, [], 'and the UI is not told of a session coming and going');
    } finally {
      off();
    }
  });

  test('an oversized message: 413, and nothing else changes', async () => {
    const huge = JSON.stringify({ ...INIT, params: { ...INIT.params, padding: 'x'.repeat(5 * 1024 * 1024) } });
    const response = await post('/mcp/everything', huge, { authorization: `Bearer ${token}` });
    assert.equal(response.status, 413);
    const client = await t.httpClient('everything');
    assert.match(JSON.stringify(await client.callTool({ name: 'echo', arguments: { message: 'after huge' } })), /after huge/);
  });

  test('a request for a session that does not exist: 404 so the client starts over', async () => {
    const response = await post('/mcp/everything', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), {
      authorization: `Bearer ${token}`,
      'mcp-session-id': 'no-such-session',
    });
    assert.equal(response.status, 404);
  });

  test('an empty batch is an Invalid Request, and the session goes on', async () => {
    const init = await post('/mcp/everything', JSON.stringify(INIT), { authorization: `Bearer ${token}` });
    const session = { authorization: `Bearer ${token}`, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await init.text();
    await post('/mcp/everything', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), session);
    const empty = await post('/mcp/everything', '[]', session);
    assert.equal(empty.status, 400, 'before, 202 as if something had been accepted');
    const body = (await empty.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, -32600);
    assert.match(body.error.message, /an empty batch/);
    const listed = await post('/mcp/everything', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), session);
    assert.equal(listed.status, 200);
  });

  test("no client token can be issued for `admin`, the admin token's own id, and one issued before is not accepted", async () => {
    const store = new TokenStore(dataPaths(t.dir));
    for (const id of ['admin', 'Admin']) assert.throws(() => store.clientToken(id), (e: Error & { code?: string }) => e.code === 'bad_input' && /reserved for Warden's own admin token/.test(e.message));
    // A tokens.json from before the id was reserved.
    const file = JSON.parse(readFileSync(dataPaths(t.dir).tokens, 'utf8')) as { clients: Record<string, { token: string; createdAt: string }> };
    const old = 'x'.repeat(43);
    file.clients.admin = { token: old, createdAt: new Date().toISOString() };
    writeFileSync(dataPaths(t.dir).tokens, JSON.stringify(file));
    assert.equal((await post('/mcp/everything', JSON.stringify(INIT), { authorization: `Bearer ${old}` })).status, 401);
    assert.equal((await post('/mcp/everything', JSON.stringify(INIT), { authorization: `Bearer ${token}` })).status, 200, 'other clients are unaffected');
  });

  test('the token file is readable by the user alone', () => {
    assert.equal(statSync(dataPaths(t.dir).tokens).mode & 0o777, 0o600);
  });
});

describe('bad input over `warden connect`', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.everything()], { decisions: allowAll });
  });
  after(() => t.stop());

  type Answer = { id?: unknown; error?: { code: number; message: string }; result?: unknown };
  /** Runs the bridge, writes lines, collects the answers until `enough` says so. */
  async function converse(lines: string[], enough: (answers: Answer[]) => boolean, target: string[] = ['everything']): Promise<Answer[]> {
    const child = spawn(process.execPath, [WARDEN_BIN, 'connect', ...target], { env: { ...process.env, WARDEN_DATA_DIR: t.dir }, stdio: ['pipe', 'pipe', 'pipe'] });
    const answers: Answer[] = [];
    let buffer = '';
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${answers.length} answers: ${JSON.stringify(answers)}`)), 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          answers.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
          if (enough(answers)) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
    });
    for (const line of lines) child.stdin.write(line + '\n');
    try {
      await done;
    } finally {
      child.stdin.end();
      child.kill();
    }
    return answers;
  }

  test('a line that is not JSON gets a parse error, and the next request still works', async () => {
    const answers = await converse(['this is not json', JSON.stringify(INIT)], (a) => a.length >= 2);
    assert.equal(answers[0]!.error?.code, -32700);
    assert.equal(answers[1]!.id, 1);
    assert.ok(answers[1]!.result, 'initialize answered after the bad line');
  });

  test('over stdio, a request before initialize is refused (as over HTTP); a ping is answered', async () => {
    const early = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' });
    const answers = await converse([early, ping], (a) => a.length >= 2);
    const refused = answers.find((a) => a.id === 3);
    assert.equal(refused?.error?.code, -32600);
    assert.match(refused?.error?.message ?? '', /not initialized\. Send initialize first/);
    assert.deepEqual(answers.find((a) => a.id === 4)?.result, {});
  });

  test('an oversized message gets an error answer for its id', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x'.repeat(5 * 1024 * 1024) } } });
    const answers = await converse([JSON.stringify(INIT), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), huge], (a) =>
      a.some((x) => x.id === 9) && a.some((x) => x.id === 1),
    );
    // Warden may refuse it before the server has answered initialize: find it by id.
    const refused = answers.find((a) => a.id === 9);
    assert.ok(refused, JSON.stringify(answers.map((a) => a.id)));
    assert.match(refused.error?.message ?? '', /larger|too large|413/i);
    assert.ok(answers.some((a) => a.id === 1 && a.result), 'initialize answered');
  });

  for (const [target, prefix] of [[['everything'], ''], [['--all'], 'everything__']] as const) {
    test(`a request id still open is refused with an error; the open request still gets its own answer (connect ${target.join(' ')})`, async () => {
      const call = (name: string, args: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: prefix + name, arguments: args } });
      const answers = await converse(
        [JSON.stringify(INIT), JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), call('trigger-long-running-operation', { duration: 1, steps: 1 }), call('echo', { message: 'twin' })],
        (a) => a.filter((x) => x.id === 5).length >= 2,
        [...target],
      );
      const [refusal, answer] = answers.filter((a) => a.id === 5);
      assert.equal(refusal!.error?.code, -32600, JSON.stringify(answers));
      assert.match(refusal!.error?.message ?? '', /id 5 is still open in this session/);
      assert.match(JSON.stringify(answer!.result), /Long running operation completed/, 'the open request got its own answer');
    });
  }

  test('an unknown server: the initialize error says so', async () => {
    const child = spawn(process.execPath, [WARDEN_BIN, 'connect', 'nosuch'], { env: { ...process.env, WARDEN_DATA_DIR: t.dir } });
    const out: string[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c.toString()));
    child.stdin.write(JSON.stringify(INIT) + '\n');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 15_000);
      child.stdout.on('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    child.kill();
    assert.match(out.join(''), /Unknown server `nosuch`/);
  });
});
