// kill -9 of `warden serve` while a call runs: the call's decision is on record, its outcome can never
// be. The next engine puts the gap on record (audit.outcomes-unrecorded, naming the call) instead of
// leaving a decision that looks like a call still running, and the log still verifies.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TokenStore } from '../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { FIXTURE_SERVERS, tempDir, WARDEN_BIN } from '../helpers/engine.js';

const temp = tempDir();
const env = { ...process.env, WARDEN_DATA_DIR: temp.dir };
const warden = (args: string[]) => spawnSync(process.execPath, [WARDEN_BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
let running: ChildProcess | undefined;
after(() => {
  running?.kill('SIGKILL');
  temp.remove();
});

function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [WARDEN_BIN, 'serve', '--no-open', '--port', '0'], { env });
  running = child;
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Warden (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && out.includes('Data:')) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

const records = () =>
  warden(['audit', 'tail', '-n', '1000', '--json'])
    .stdout.trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; event?: string; tool?: string; callId?: string; data?: Record<string, unknown> });

test('a call running when the engine is killed is named as unrecorded by the next engine, once', async () => {
  assert.equal(warden(['servers', 'add', 'faulty', '--', process.execPath, join(FIXTURE_SERVERS, 'faulty.mjs')]).status, 0);
  assert.equal(warden(['policy', 'override', 'faulty', 'hang', 'allow']).status, 0);
  assert.equal(warden(['policy', 'override', 'faulty', 'ok', 'allow']).status, 0);
  const first = await serve();
  const token = new TokenStore(dataPaths(temp.dir)).clientToken('kill-test');
  const client = new Client({ name: 'kill-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${first.url}/mcp/faulty`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  await client.callTool({ name: 'ok', arguments: {} }); // finished: decision and outcome on record
  void client.callTool({ name: 'hang', arguments: {} }, undefined, { timeout: 60_000 }).catch(() => undefined);
  let hang: { callId?: string } | undefined;
  for (let i = 0; i < 200 && !hang; i++) {
    hang = records().find((r) => r.type === 'decision' && r.tool === 'hang');
    if (!hang) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(hang?.callId, 'the hanging call was decided and is on record');

  const exited = new Promise((r) => first.child.once('exit', r));
  first.child.kill('SIGKILL');
  await exited;
  await client.close().catch(() => undefined);

  const second = await serve();
  const notes = records().filter((r) => r.event === 'audit.outcomes-unrecorded');
  assert.equal(notes.length, 1, 'the gap is on record');
  assert.equal(notes[0]!.data!.count, 1, 'only the call that was running: the finished one has its outcome');
  const [call] = notes[0]!.data!.calls as Array<{ callId: string; server: string; tool: string; seq: number }>;
  assert.equal(call!.callId, hang.callId);
  assert.equal(call!.server, 'faulty');
  assert.equal(call!.tool, 'hang');
  assert.match(String(notes[0]!.data!.reason), /stopped .* before their outcome was written: whether they completed is not known/);
  const verify = warden(['audit', 'verify']);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);

  // A clean restart reports nothing again.
  const exit = new Promise((r) => second.child.once('exit', r));
  second.child.kill('SIGTERM');
  await exit;
  await serve();
  assert.equal(records().filter((r) => r.event === 'audit.outcomes-unrecorded').length, 1, 'reported once, not at every start');
});
