// How waiting calls behave with real clients: over `warden connect` (stdio), asked inside the client
// (MCP elicitation), the same call sent twice, and a client that gives up while its call waits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { servers, startTestEngine, waitForApprovals, tempDir, type TestEngine } from '../../helpers/engine.js';

const pending = waitForApprovals;

describe('waiting calls with real clients', () => {
  let t: TestEngine;
  let root: { dir: string; remove(): void };

  before(async () => {
    root = tempDir('warden-fs-root-');
    t = await startTestEngine([servers.filesystem(root.dir)]);
  });
  after(async () => {
    await t.stop();
    root.remove();
  });

  test('over `warden connect` (stdio) a write waits, gets progress, and goes through once approved', async () => {
    t.engine.guardian!.setApprovalSettings({ progressSeconds: 0.1 });
    try {
      const client = await t.stdioClient('filesystem', { clientId: 'claude-desktop', name: 'Claude Desktop' });
      await client.listTools();
      const file = join(root.dir, 'via-stdio.txt');
      const progress: string[] = [];
      const call = client.callTool({ name: 'write_file', arguments: { path: file, content: 'stdio' } }, undefined, { onprogress: (p) => progress.push(p.message ?? '') });
      const [waiting] = await pending(t);
      assert.equal(waiting!.client.id, 'claude-desktop');
      await new Promise((r) => setTimeout(r, 300));
      t.engine.guardian!.answer(waiting!.id, { effect: 'allow', scope: 'once' }, 'user:ui');
      const r = await call;
      assert.equal(r.isError, undefined);
      assert.equal(readFileSync(file, 'utf8'), 'stdio');
      assert.ok(progress.length >= 1, 'progress notifications reach a stdio client too');
    } finally {
      t.engine.guardian!.setApprovalSettings({ progressSeconds: 5 });
    }
  });

  test('a client that supports elicitation is asked inside the client; its answer decides', async () => {
    const client = await t.httpClient('filesystem', { clientId: 'vscode', capabilities: { capabilities: { elicitation: {} } } });
    const asked: string[] = [];
    let answer = 'allow_once';
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return { action: 'accept', content: { decision: answer } };
    });
    await client.listTools();
    const ok = await client.callTool({ name: 'write_file', arguments: { path: join(root.dir, 'elicited.txt'), content: 'e' } });
    assert.equal(ok.isError, undefined);
    assert.ok(existsSync(join(root.dir, 'elicited.txt')));
    assert.match(asked[0]!, /filesystem\/write_file/);
    answer = 'deny';
    const no = await client.callTool({ name: 'write_file', arguments: { path: join(root.dir, 'refused.txt'), content: 'e' } });
    assert.equal(no.isError, true);
    assert.equal(existsSync(join(root.dir, 'refused.txt')), false);
    const recent = t.engine.guardian!.recentConsents();
    assert.equal(recent.at(-1)!.approver, 'user:elicitation');
  });

  test('the same call sent twice waits on one approval; one answer settles both', async () => {
    const client = await t.httpClient('filesystem', { clientId: 'cursor' });
    await client.listTools();
    const args = { path: join(root.dir, 'twice.txt'), content: 'twice' };
    const a = client.callTool({ name: 'write_file', arguments: args });
    const b = client.callTool({ name: 'write_file', arguments: args });
    for (let i = 0; i < 200 && (t.engine.guardian!.listPending()[0]?.waiting ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 25));
    const list = t.engine.guardian!.listPending();
    assert.equal(list.length, 1);
    assert.equal(list[0]!.waiting, 2);
    t.engine.guardian!.answer(list[0]!.id, { effect: 'allow' }, 'user:ui');
    assert.equal((await a).isError, undefined);
    assert.equal((await b).isError, undefined);
  });

  test('a client that gives up while its call waits withdraws the approval; nothing is written', async () => {
    const client = await t.httpClient('filesystem', { clientId: 'cursor' });
    await client.listTools();
    const controller = new AbortController();
    const call = client.callTool({ name: 'write_file', arguments: { path: join(root.dir, 'abandoned.txt'), content: 'x' } }, undefined, { signal: controller.signal });
    await pending(t);
    controller.abort();
    await assert.rejects(call);
    for (let i = 0; i < 200 && t.engine.guardian!.listPending().length; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(t.engine.guardian!.listPending(), []);
    assert.equal(existsSync(join(root.dir, 'abandoned.txt')), false);
  });
});
