// How Warden answers a POST over Streamable HTTP, seen on the wire: a plain JSON body when the answer is
// the only thing to send, an event stream when the server sends progress (or anything else) first. Both
// are the spec's choices for the server; a real SDK client takes either (transparent.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { openRawSession, rawHeaders, rawPost } from '../../helpers/raw-session.js';

describe('answers to a POST', () => {
  let t: TestEngine;
  let headers: Record<string, string>;
  let id = 0;
  before(async () => {
    t = await startTestEngine([servers.everything()], { decisions: allowAll });
    headers = await newSession();
  });
  after(() => t.stop());

  /** The headers of a new initialized session of the same client. */
  const newSession = () => openRawSession(`${t.url}/mcp/everything`, rawHeaders(t.dir, 'wire'), 'wire');

  function post(message: Record<string, unknown>): Promise<Response> {
    id += 1;
    return rawPost(`${t.url}/mcp/everything`, headers, { id, ...message });
  }

  test('a call whose answer comes first is answered with one JSON body', async () => {
    const response = await post({ method: 'tools/call', params: { name: 'echo', arguments: { message: 'plain' } } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as { id: number; result: { content: Array<{ text: string }> } };
    assert.equal(body.id, id);
    assert.equal(body.result.content[0]!.text, 'Echo: plain');
  });

  test('a call with progress gets an event stream: the progress, then the result', async () => {
    const response = await post({
      method: 'tools/call',
      params: { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 }, _meta: { progressToken: 'p1' } },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { method?: string; id?: number; params?: { progressToken?: string } });
    assert.ok(events.some((e) => e.method === 'notifications/progress' && e.params?.progressToken === 'p1'), 'progress on the stream');
    assert.equal(events.at(-1)!.id, id, 'the result closes the stream');
  });

  test('a call the client cancels ends its POST at once, with no answer on it; the session goes on', { timeout: 10_000 }, async () => {
    const started = Date.now();
    const slow = post({ method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 20, steps: 20 } } });
    const slowId = id;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cancelled = await fetch(`${t.url}/mcp/everything`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: slowId, reason: 'not needed' } }),
    });
    assert.equal(cancelled.status, 202);
    const response = await slow;
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal((await response.text()).split('\n').filter((line) => line.startsWith('data: ')).length, 0, 'nothing on it');
    assert.ok(Date.now() - started < 5000, `ended after ${Date.now() - started} ms`);
    const next = await post({ method: 'tools/call', params: { name: 'echo', arguments: { message: 'after' } } });
    assert.equal(((await next.json()) as { result: { content: Array<{ text: string }> } }).result.content[0]!.text, 'Echo: after');
  });

  test('a call still waiting when the client ends the session is answered with an error it can read', async () => {
    // A second session of the same client, ended (DELETE) while its calls run.
    const session = await newSession();
    const slow = (callId: number, progressToken?: string) =>
      fetch(`${t.url}/mcp/everything`, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({ jsonrpc: '2.0', id: callId, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 20, steps: 20 }, ...(progressToken ? { _meta: { progressToken } } : {}) } }),
      });
    const quiet = slow(2);
    const chatty = slow(3, 'p3');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const ended = await fetch(`${t.url}/mcp/everything`, { method: 'DELETE', headers: session });
    assert.equal(ended.status, 200);

    const plain = await quiet;
    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await plain.json()) as { id: number; error?: { message: string } };
    assert.equal(body.id, 2);
    assert.match(body.error?.message ?? '', /session ended before the server answered/);

    const streamed = await chatty;
    assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/, 'progress had opened its stream');
    const last = (await streamed.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { id?: number; error?: { message: string } })
      .at(-1)!;
    assert.equal(last.id, 3);
    assert.match(last.error?.message ?? '', /session ended before the server answered/);
  });

  test('a request whose body is still arriving when the session ends is told so at once, not left open', async () => {
    const session = await newSession();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'late' } } });
    const started = Date.now();
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${t.url}/mcp/everything`, { method: 'POST', headers: { ...session, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      // Once Warden has the request's headers (it is reading the body), the session ends.
      setTimeout(() => {
        void fetch(`${t.url}/mcp/everything`, { method: 'DELETE', headers: session }).then((ended) => {
          assert.equal(ended.status, 200);
          req.end(body.slice(10));
        }, reject);
      }, 200);
      setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref();
    });
    const { status, text } = await answer;
    assert.equal(status, 404);
    assert.match(text, /Session not found: it ended while this request arrived/);
    assert.ok(Date.now() - started < 3000, 'answered at once, not after the stream timer');
  });
});

test('an initialize whose body never finishes arriving (the client went away) leaves no session behind', async () => {
  const t = await startTestEngine([servers.everything()], { decisions: allowAll });
  try {
    const headers = rawHeaders(t.dir, 'gone');
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'gone', version: '1' } } });
    const req = request(`${t.url}/mcp/everything`, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } });
    req.on('error', () => undefined); // the hang-up this test makes
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(t.engine.runtime('everything').sessions, 0, 'a session counts from its initialize, not from the first bytes of one');
    req.destroy();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(t.engine.runtime('everything').sessions, 0);
    // The engine carries on: a whole initialize opens a session.
    const client = await t.httpClient('everything');
    assert.equal(t.engine.runtime('everything').sessions, 1);
    await client.close();
  } finally {
    await t.stop();
  }
});
