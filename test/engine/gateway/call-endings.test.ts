// Every call ends once, however it ends: answered, cancelled after it was forwarded, caught in a restart
// that fails, or caught by the session's close while its decision is being written. One answer (or
// none, when the client cancelled), one outcome record; no unhandled rejection (it would end the
// engine), no call left waiting. Real SDK clients and purpose-built servers (test/fixtures/servers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { AggregateSession } from '../../../src-main/engine/gateway/aggregate.js';
import { GatewaySession } from '../../../src-main/engine/gateway/session.js';
import { ServerRuntime } from '../../../src-main/engine/gateway/runtime.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import type { Decision } from '../../../src-main/engine/pipeline.js';
import { ServerConfig } from '../../../shared/servers.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INITIALIZE = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } } as const;

/** Allows every call that waits for approval, while `work` runs. */
async function allowing<T>(t: TestEngine, work: Promise<T>): Promise<T> {
  let done = false;
  const approve = (async () => {
    while (!done) {
      for (const waiting of t.engine.guardian!.listPending()) t.engine.guardian!.answer(waiting.id, { effect: 'allow', scope: 'once' });
      await sleep(20);
    }
  })();
  try {
    return await work;
  } finally {
    done = true;
    await approve;
  }
}

const callRecords = async (t: TestEngine, server: string, tool: string) =>
  (await openAuditReader(dataPaths(t.dir)).query({ server, tool, order: 'oldest' })).records.filter((r) => r.type !== 'event');

describe('calls through the engine', () => {
  let t: TestEngine;
  const marker = join(tmpdir(), `warden-fail-restart-${process.pid}`);
  before(async () => {
    rmSync(`${marker}-abandoned`, { force: true });
    rmSync(marker, { force: true }); // one left by a run that was killed would make the first process fail
    t = await startTestEngine([
      servers.fixture('cancellable.mjs', 'cancellable'),
      servers.fixture('faulty.mjs', 'faulty', ['--fail-restart', marker]),
      servers.fixture('faulty.mjs', 'restartable'),
      servers.fixture('faulty.mjs', 'abandoned', ['--fail-restart', `${marker}-abandoned`]),
    ]);
  });
  after(async () => {
    await t.stop();
    rmSync(marker, { force: true });
    rmSync(`${marker}-abandoned`, { force: true });
  });

  test('a call cancelled after it was forwarded ends at once, on record once as cancelled; the session goes on', { timeout: 20_000 }, async () => {
    const client = await t.httpClient('cancellable');
    await client.listTools();
    const controller = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: {} }, undefined, { signal: controller.signal }).then(() => 'answered', (e: Error) => `failed: ${e.message}`);
    // Allowed (it may wait for approval), then on its way: its decision is on record.
    for (let i = 0; i < 250 && (await callRecords(t, 'cancellable', 'wait')).length === 0; i++) {
      for (const waiting of t.engine.guardian!.listPending()) t.engine.guardian!.answer(waiting.id, { effect: 'allow', scope: 'session' });
      await sleep(20);
    }
    await sleep(100);
    controller.abort('the person stopped it');
    assert.match(await call, /^failed: /);
    let records: Awaited<ReturnType<typeof callRecords>> = [];
    for (let i = 0; i < 100 && records.length < 2; i++) {
      await sleep(20);
      records = await callRecords(t, 'cancellable', 'wait');
    }
    assert.deepEqual(records.map((r) => r.type), ['decision', 'outcome'], 'on record at once, before the session ends');
    assert.equal((records[1] as { status?: string }).status, 'cancelled');
    for (let i = 0; i < 100 && !t.engine.runtime('cancellable').stderr.lines().some((l) => l.includes('wait cancelled')); i++) await sleep(20);
    assert.ok(t.engine.runtime('cancellable').stderr.lines().some((l) => l.includes('wait cancelled')), 'the server got the cancellation');
    assert.deepEqual((await client.listTools()).tools.map((x) => x.name), ['wait'], 'the session goes on');
    assert.equal((await callRecords(t, 'cancellable', 'wait')).length, 2, 'still one outcome');
  });

  test('a request the client cancels while its crashed server waits out the restart backoff is never sent', { timeout: 20_000 }, async () => {
    const client = await t.httpClient('restartable');
    await client.listTools();
    const crash = await allowing(t, client.callTool({ name: 'crash', arguments: {} }).then(() => 'answered', (e: Error) => `failed: ${e.message}`));
    assert.match(crash, /stopped during the call/);
    // The next request starts the server again, after a backoff (250 ms after a first crash); the
    // client gives up on it as soon as Warden holds it there.
    const restarts = t.engine.runtime('restartable').restarts;
    const controller = new AbortController();
    const listing = client.listPrompts(undefined, { signal: controller.signal }).then(() => 'answered', (e: Error) => `failed: ${e.message}`);
    for (let i = 0; i < 400 && t.engine.runtime('restartable').restarts === restarts; i++) await sleep(2);
    assert.equal(t.engine.runtime('restartable').restarts, restarts + 1, 'held in the backoff');
    controller.abort('not needed any more');
    assert.match(await listing, /^failed: /);
    const ok = await allowing(t, client.callTool({ name: 'ok', arguments: { text: 'after' } }));
    const pid = /pid=(\d+)/.exec(JSON.stringify(ok.content))?.[1];
    assert.ok(pid, JSON.stringify(ok));
    const seen = t.engine.runtime('restartable').stderr.lines().filter((l) => l.startsWith(`faulty pid=${pid}:`));
    assert.ok(seen.some((l) => l.endsWith('tools/call')), seen.join('\n'));
    assert.ok(!seen.some((l) => l.endsWith('prompts/list')), `the cancelled request reached the restarted server:\n${seen.join('\n')}`);
  });

  test('a session that ends while Warden replays its initialize to a restarted server leaves the server as it was (crashed), not failed', { timeout: 20_000 }, async () => {
    const client = await t.httpClient('abandoned');
    await client.listTools();
    const crash = await allowing(t, client.callTool({ name: 'crash', arguments: {} }).then(() => 'answered', (e: Error) => `failed: ${e.message}`));
    assert.match(crash, /stopped during the call/);
    assert.equal(t.engine.runtime('abandoned').state, 'crashed');
    // The next request restarts it; the new process never answers the replayed initialize, and the
    // client goes away meanwhile.
    const listing = client.listPrompts().then(() => 'answered', (e: Error) => `failed: ${e.message}`);
    for (let i = 0; i < 500 && !t.engine.runtime('abandoned').stderr.lines().some((l) => l.includes('answering nothing')); i++) await sleep(10);
    assert.equal(t.engine.runtime('abandoned').state, 'starting');
    await (client.transport as StreamableHTTPClientTransport).terminateSession(); // DELETE: the session ends
    await client.close();
    await listing;
    for (let i = 0; i < 100 && t.engine.runtime('abandoned').sessions > 0; i++) await sleep(20);
    await sleep(100);
    assert.equal(t.engine.runtime('abandoned').state, 'crashed', t.engine.runtime('abandoned').lastError);
    assert.match(t.engine.runtime('abandoned').lastError ?? '', /^exited: /);
  });

  test('a call made while a crashed server fails to restart is answered with the failure, and on record once', { timeout: 40_000 }, async () => {
    const client = await t.httpClient('faulty');
    await client.listTools();
    const crash = await allowing(t, client.callTool({ name: 'crash', arguments: {} }).then(() => 'answered', (e: Error) => `failed: ${e.message}`));
    assert.match(crash, /stopped during the call/);
    // The next two calls find the server gone; the first restarts it, and the restart fails (the new
    // process never answers Warden's replayed initialize, which gives up after 15 s); the second, made
    // while the restart runs, waits for it and gets its failure, instead of going to a server that
    // never initialized.
    const started = Date.now();
    const [a, b] = await allowing(t, Promise.all([
      client.callTool({ name: 'ok', arguments: { text: 'a' } }).then(() => 'answered', (e: Error) => `failed: ${e.message}`),
      (async () => {
        // Once the new process runs, while Warden replays the client's initialize to it.
        for (let i = 0; i < 500 && !t.engine.runtime('faulty').stderr.lines().some((l) => l.includes('answering nothing')); i++) await sleep(10);
        await sleep(100);
        return client.callTool({ name: 'ok', arguments: { text: 'b' } }).then(() => 'answered', (e: Error) => `failed: ${e.message}`);
      })(),
    ]));
    assert.match(a, /^failed: /);
    assert.match(b, /^failed: /);
    assert.ok(Date.now() - started < 25_000, `answered in ${Date.now() - started} ms`);
    assert.match(b, /did not initialize/);
    await sleep(200); // outcome records may wait a few ms to share a write
    const records = await callRecords(t, 'faulty', 'ok');
    const outcomes = records.filter((r) => r.type === 'outcome');
    const decisions = records.filter((r) => r.type === 'decision');
    assert.equal(decisions.length, 2);
    assert.equal(outcomes.length, decisions.length, JSON.stringify(records.map((r) => [r.type, (r as { callId?: string }).callId])));
    assert.equal(new Set(outcomes.map((r) => (r as { callId?: string }).callId)).size, outcomes.length, 'one outcome per call');
  });
});

test('the session closing while a call\'s decision record is written: one outcome record', { timeout: 20_000 }, async () => {
  const records: string[] = [];
  const logger = { warn() {}, error() {}, info() {}, log() {}, debug() {} } as never;
  const allow: Decision = { effect: 'allow', ruleId: 'test:allow', reasons: ['allowed'], approver: 'policy' };
  const session = new GatewaySession({
    server: ServerConfig.parse(servers.everything()),
    client: { id: 'c' },
    logger,
    runtime: new ServerRuntime('everything', logger),
    upstream: { send: async () => undefined },
    decisions: { decide: async () => allow, listTools: async (_s, _c, list) => list },
    // A slow disk: the decision record takes 100 ms.
    audit: {
      decided: async () => {
        records.push('decision');
        await sleep(100);
      },
      finished: async () => void records.push('outcome'),
      event: async () => undefined,
    },
  });
  await session.fromClient(INITIALIZE); // a call before it would be refused
  void session.fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } });
  for (let i = 0; i < 200 && !records.includes('decision'); i++) await sleep(10);
  await session.close('the client disconnected');
  await sleep(300);
  assert.deepEqual(records, ['decision', 'outcome']);
  assert.deepEqual(unhandled.map(String), []);
});

test('the session closing while a call\'s decision record is written, and the write then fails: one answer', { timeout: 20_000 }, async () => {
  const answers: unknown[] = [];
  const logger = { warn() {}, error() {}, info() {}, log() {}, debug() {} } as never;
  const allow: Decision = { effect: 'allow', ruleId: 'test:allow', reasons: ['allowed'], approver: 'policy' };
  let writing = false;
  const session = new GatewaySession({
    server: ServerConfig.parse(servers.everything()),
    client: { id: 'c' },
    logger,
    runtime: new ServerRuntime('everything', logger),
    upstream: { send: async (message) => void answers.push(message) },
    decisions: { decide: async () => allow, listTools: async (_s, _c, list) => list },
    // The engine stops: the log closes under a decision record being written, which then fails.
    audit: {
      decided: async () => {
        writing = true;
        await sleep(100);
        throw new Error('The audit log is closed; no record can be written.');
      },
      finished: async () => undefined,
      event: async () => undefined,
    },
  });
  await session.fromClient(INITIALIZE); // a call before it would be refused
  void session.fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x' } } });
  for (let i = 0; i < 200 && !writing; i++) await sleep(10);
  await session.close('the engine stopped');
  await sleep(300);
  assert.equal(answers.filter((m) => (m as { id?: unknown }).id === 1).length, 1, JSON.stringify(answers));
  assert.match(JSON.stringify(answers.find((m) => (m as { id?: unknown }).id === 1)), /the engine stopped/);
  assert.deepEqual(unhandled.map(String), []);
});

test('the aggregated session closing while a server it asked for its tools still starts: no rejection goes unheard', { timeout: 10_000 }, async () => {
  const logger = { warn() {}, error() {}, info() {}, log() {}, debug() {} } as never;
  const aggregate = new AggregateSession({
    clientId: 'c',
    logger,
    servers: () => ['slow'],
    upstream: { send: async () => undefined },
    // An inner session whose server takes a while to start (a restart backoff, a keychain lookup).
    openSession: (_server: string, _upstream: unknown, onClose?: () => void) => ({ fromClient: async () => void (await sleep(200)), close: async () => onClose?.() }),
  } as never);
  await aggregate.fromClient({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
  void aggregate.fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  await sleep(20);
  await aggregate.close('the client disconnected');
  await sleep(400);
  assert.deepEqual(unhandled.map(String), []);
});
