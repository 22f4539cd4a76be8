// HTTP client sessions that idle with nothing open are ended (with their server process), so a client
// that went away without DELETE leaves nothing running; a client that is still there is not touched:
// an SDK client holds its standalone stream, and a call that takes long keeps its session. The engine's
// idle limit is an hour; here it is 300 ms. A session the engine itself ended (its server changed)
// answers 404 at once, as the spec asks, so its client starts a new one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { openRawSession, rawHeaders, rawPost } from '../../helpers/raw-session.js';

const IDLE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle HTTP sessions', () => {
  let t: TestEngine;
  let headers: Record<string, string>;
  before(async () => {
    t = await startTestEngine([servers.everything()], { decisions: allowAll, sessionIdleMs: IDLE_MS });
    headers = rawHeaders(t.dir, 'idler');
  });
  after(() => t.stop());

  const rawSession = () => openRawSession(`${t.url}/mcp/everything`, headers, 'idler');

  const echo = (session: Record<string, string>, id: number, args: Record<string, unknown> = { message: 'hi' }, name = 'echo') =>
    fetch(`${t.url}/mcp/everything`, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }) });

  test('a session left with nothing open is ended: its next request gets 404 and its server process is stopped', async () => {
    const session = await rawSession();
    assert.equal((await echo(session, 2)).status, 200);
    assert.equal(t.engine.runtime('everything').sessions, 1);
    for (let i = 0; i < 100 && t.engine.runtime('everything').sessions > 0; i++) await sleep(20);
    assert.equal(t.engine.runtime('everything').sessions, 0, 'the session and its server are gone');
    const late = await echo(session, 3);
    assert.equal(late.status, 404);
    assert.match(await late.text(), /Session not found: start a new session with initialize/);
  });

  test('a call that takes longer than the idle limit keeps its session, and is answered', { timeout: 15_000 }, async () => {
    const session = await rawSession();
    const slow = await echo(session, 2, { duration: 1.5, steps: 3 }, 'trigger-long-running-operation');
    assert.equal(slow.status, 200);
    assert.match(await slow.text(), /Long running operation completed/);
    assert.equal((await echo(session, 3)).status, 200, 'ended only once it idles');
  });

  test('an SDK client, which holds its standalone stream, keeps its session however long it idles', async () => {
    const client = await t.httpClient('everything', { clientId: 'idler' });
    await sleep(IDLE_MS * 4);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    assert.match(JSON.stringify(result), /Echo: still here/);
    await client.close();
  });
});

test('a session the engine ended (its server changed or removed) answers its next request with 404 at once, so the client starts anew', { timeout: 20_000 }, async () => {
  // The engine's own idle limit (an hour): only the engine's close ends this session.
  const t = await startTestEngine([servers.everything()], { decisions: allowAll });
  try {
    const url = `${t.url}/mcp/everything`;
    const headers = rawHeaders(t.dir, 'ended');
    const post = (session: Record<string, string>, message: Record<string, unknown>) => rawPost(url, session, message);
    const open = () => openRawSession(url, headers, 'ended');
    const echo = { id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } };
    const session = await open();
    await t.engine.closeSessions('everything', 'the server was changed');
    const started = Date.now();
    const late = await post(session, echo);
    assert.equal(late.status, 404);
    assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
    assert.equal((await post(await open(), echo)).status, 200, 'a new session works');
  } finally {
    await t.stop();
  }
});
