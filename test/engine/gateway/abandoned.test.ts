// Calls whose client stopped listening: one it cancelled after Warden forwarded it (the server may
// still answer; its id stays taken until then, or a new request with that id would get the old call's
// answer), and one whose HTTP request broke off while it waited for approval (withdrawn, never run: no
// one could hear its answer). The stubborn server ignores cancellation and names on stderr what it ran.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { openRawSession, rawHeaders, rawPost } from '../../helpers/raw-session.js';

type Body = { id?: unknown; error?: { code: number; message: string }; result?: { content?: Array<{ text?: string }> } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The one message a POST got back, as a JSON body or on an event stream. */
async function answerOf(response: Response): Promise<Body | undefined> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return JSON.parse(text) as Body;
  const data = text.split('\n').find((line) => line.startsWith('data: '));
  return data ? (JSON.parse(data.slice(6)) as Body) : undefined;
}

const slow = (id: number, ms: number, tag: string) => ({ id, method: 'tools/call', params: { name: 'slow', arguments: { ms, tag } } });

describe('a call cancelled after it was forwarded', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.fixture('stubborn.mjs', 'stubborn')], { decisions: allowAll });
  });
  after(() => t.stop());

  test('keeps its id taken until the server answers: a new request with it is refused, never given the old answer', { timeout: 15_000 }, async () => {
    const url = `${t.url}/mcp/stubborn`;
    const session = await openRawSession(url, rawHeaders(t.dir, 'ids'), 'ids');
    const started = Date.now();
    const old = rawPost(url, session, slow(50, 1500, 'OLD'));
    await sleep(300);
    assert.equal((await rawPost(url, session, { method: 'notifications/cancelled', params: { requestId: 50, reason: 'changed my mind' } })).status, 202);
    assert.equal(await answerOf(await old), undefined, 'the cancelled POST ends with nothing on it');

    const reused = await answerOf(await rawPost(url, session, slow(50, 0, 'NEW')));
    assert.equal(reused?.error?.code, -32600);
    assert.match(reused?.error?.message ?? '', /id 50 was cancelled and its server may still answer it/);

    // Once the server's late answer came (and was not heard), the id is free again.
    await sleep(Math.max(0, 1800 - (Date.now() - started)));
    const again = await answerOf(await rawPost(url, session, slow(50, 0, 'AGAIN')));
    assert.equal(again?.result?.content?.[0]?.text, 'answer for AGAIN');
    const other = await answerOf(await rawPost(url, session, slow(51, 0, 'OTHER')));
    assert.equal(other?.result?.content?.[0]?.text, 'answer for OTHER', 'the session goes on');
  });
});

describe('a call whose client went away while it waited for approval', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.fixture('stubborn.mjs', 'stubborn')]);
  });
  after(() => t.stop());

  test('is withdrawn: the approval goes, the call never runs, and it is on record as cancelled', { timeout: 15_000 }, async () => {
    const url = `${t.url}/mcp/stubborn`;
    const session = await openRawSession(url, rawHeaders(t.dir, 'gone'), 'gone');
    const guardian = t.engine.guardian!;
    const controller = new AbortController();
    const call = fetch(url, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'erase', arguments: { what: 'everything' } } }),
      signal: controller.signal,
    }).then(() => 'answered', () => 'broke off');
    for (let i = 0; i < 250 && guardian.listPending().length === 0; i++) await sleep(20);
    assert.equal(guardian.listPending().length, 1, 'the call waits for approval');
    controller.abort();
    assert.equal(await call, 'broke off');
    for (let i = 0; i < 100 && guardian.listPending().length > 0; i++) await sleep(20);
    assert.equal(guardian.listPending().length, 0, 'nobody is asked to approve a call whose answer goes nowhere');

    const reader = openAuditReader(dataPaths(t.dir));
    let records: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 100 && records.length < 2; i++) {
      await sleep(20);
      records = (await reader.query({ server: 'stubborn', tool: 'erase', order: 'oldest' })).records as unknown as Array<Record<string, unknown>>;
    }
    assert.deepEqual(records.map((r) => [r.type, r.status]), [['decision', 'cancelled'], ['outcome', 'cancelled']]);
    assert.match(readFileSync(join(t.dir, 'logs', 'engine.log'), 'utf8'), /"event":"client.request_abandoned".*"method":"tools\/call"/, 'the engine log says why');
    assert.ok(!t.engine.runtime('stubborn').stderr.lines().some((line) => line.includes('erase ran')), 'the server never ran it');
  });
});
