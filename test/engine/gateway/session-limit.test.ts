// One client token holds a bounded number of live HTTP sessions (each with its own server process): a
// client that opens sessions in a loop without ending them does not start server processes without end.
// At the limit its longest-idle session makes room; with none idle the new session is refused with a
// reason. Other clients are not touched. The engine's limit is 64; here it is 2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { openRawSession, rawHeaders, rawPost } from '../../helpers/raw-session.js';

const LIMIT = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sessions per client token', () => {
  let t: TestEngine;
  let url: string;
  before(async () => {
    t = await startTestEngine([servers.memory()], { decisions: allowAll, maxSessionsPerClient: LIMIT });
    url = `${t.url}/mcp/memory`;
  });
  after(() => t.stop());

  const list = (session: Record<string, string>, id = 2) => rawPost(url, session, { id, method: 'tools/list' });
  const initialize = (headers: Record<string, string>) =>
    rawPost(url, headers, { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'looper', version: '1' } } });
  const processes = async (count: number) => {
    for (let i = 0; i < 100 && t.engine.runtime('memory').sessions !== count; i++) await sleep(20);
    return t.engine.runtime('memory').sessions;
  };

  test('at the limit, a new session ends the one idle longest: the others and other clients keep theirs', async () => {
    const headers = rawHeaders(t.dir, 'looper');
    const other = await openRawSession(url, rawHeaders(t.dir, 'other'), 'other');
    const first = await openRawSession(url, headers, 'looper');
    await sleep(30);
    const second = await openRawSession(url, headers, 'looper');
    assert.equal((await list(second)).status, 200, 'the second was used after the first');
    const third = await openRawSession(url, headers, 'looper');
    assert.equal(await processes(3), 3, "the looper's two live sessions and the other client's: one server process each");
    const gone = await list(first);
    assert.equal(gone.status, 404, 'the longest-idle session was ended');
    assert.match(await gone.text(), /Session not found: start a new session with initialize/);
    for (const session of [second, third, other]) assert.equal((await list(session, 3)).status, 200);
    for (const session of [second, third, other]) await fetch(url, { method: 'DELETE', headers: session });
    assert.equal(await processes(0), 0);
  });

  test('at the limit with no session idle, a new one is refused with the reason, and nothing else changes', async () => {
    const headers = rawHeaders(t.dir, 'busy');
    const held: Array<{ session: Record<string, string>; stream: AbortController }> = [];
    for (let i = 0; i < LIMIT; i++) {
      const session = await openRawSession(url, headers, 'busy');
      // A standalone stream held open: the client is still there (as SDK clients do).
      const stream = new AbortController();
      const get = await fetch(url, { headers: { ...session, accept: 'text/event-stream' }, signal: stream.signal });
      assert.equal(get.status, 200);
      held.push({ session, stream });
    }
    const refused = await initialize(headers);
    assert.equal(refused.status, 429);
    const body = (await refused.json()) as { error: { message: string; data: { code: string } } };
    assert.equal(body.error.data.code, 'too_many_sessions');
    assert.match(body.error.message, /already has 2 open sessions .* none of them is idle\. End the sessions it no longer uses/);
    assert.equal(await processes(LIMIT), LIMIT, 'no server process was started for it');
    for (const { session } of held) assert.equal((await list(session)).status, 200, 'the held sessions still work');

    // Once the client ends one, it may open another.
    held[0]!.stream.abort();
    assert.equal((await fetch(url, { method: 'DELETE', headers: held[0]!.session })).status, 200);
    const again = await initialize(headers);
    assert.equal(again.status, 200);
    await fetch(url, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': again.headers.get('mcp-session-id')! } });
    held[1]!.stream.abort();
    await fetch(url, { method: 'DELETE', headers: held[1]!.session });
  });

  test('`warden connect` over the local socket has the same limit: a third bridge of one client is refused with the reason; other clients still connect', { timeout: 60_000 }, async () => {
    const bridges = [await t.stdioClient('memory', { clientId: 'bridged' }), await t.stdioClient('memory', { clientId: 'bridged' })];
    for (const b of bridges) await b.listTools();
    await assert.rejects(t.stdioClient('memory', { clientId: 'bridged' }), /Too many sessions: this client already has 2 connections open with Warden/);
    assert.equal(await processes(LIMIT), LIMIT, 'no server process was started for the third');
    const other = await t.stdioClient('memory', { clientId: 'someone-else' });
    await other.listTools();
    await bridges[0]!.close();
    await processes(LIMIT);
    const again = await t.stdioClient('memory', { clientId: 'bridged' });
    await again.listTools();
  });
});
