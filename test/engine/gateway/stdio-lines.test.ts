// A stdio server's output as it really arrives: answers in pieces (a multi-byte character split between
// reads), CRLF line ends, lines that are not JSON or no JSON-RPC message, and a line over the 10 MB read
// limit. Warden reads it with its own line reader (mcp/sdk.ts MessageLines): every answer must come
// through whole and the bad lines be dropped, as with the SDK's own reader; an over-long line ends the
// connection, as the SDK's transport does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { directClient, servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';

const TEXT = 'héllo wörld 😀 ✓ 日本語';
const textOf = (result: unknown) => (result as { content: Array<{ text: string }> }).content.map((c) => c.text).join('');

describe('a stdio server whose output arrives in pieces and with lines that are no message', () => {
  let t: TestEngine;
  let client: Client;
  before(async () => {
    t = await startTestEngine([servers.fixture('raw-lines.mjs', 'raw')], { decisions: allowAll });
    client = await t.httpClient('raw');
  });
  after(() => t.stop());

  test('answers split between reads (inside a UTF-8 character, CRLF ends) arrive whole; bad lines are dropped', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name), ['echo', 'huge', 'ask']);
    for (let i = 0; i < 3; i++) {
      const result = await client.callTool({ name: 'echo', arguments: { text: `${TEXT} ${i}` } }, undefined, { timeout: 5000 });
      assert.equal(textOf(result), `echo: ${TEXT} ${i}`);
    }
    assert.equal(t.engine.runtime('raw').state, 'running', 'lines that are no message do not stop the server');
  });

  test('the same answers as through the SDK’s own stdio reader', async () => {
    const direct = await directClient(servers.fixture('raw-lines.mjs', 'raw'));
    try {
      const args = { name: 'echo', arguments: { text: TEXT } };
      assert.deepEqual(await client.callTool(args), await direct.callTool(args));
    } finally {
      await direct.close();
    }
  });

  test('a line over the 10 MB read limit ends the connection, as the SDK does: the call is told at once, and the next call starts the server again', async () => {
    // The SDK's stdio transport closes on an over-long line; Warden's reader throws the same way, and the
    // session hears of it then, not seconds later when the process has exited.
    const logged: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged.push(n.params.data));
    const huge = await client.callTool({ name: 'huge', arguments: { text: 'after' } }, undefined, { timeout: 15_000 }).then(
      (result) => textOf(result),
      (error: Error) => error.message,
    );
    assert.match(huge, /Server `raw` stopped during the call \(the server wrote a line over 10 MB/);
    assert.equal(t.engine.runtime('raw').state, 'crashed');
    const again = await client.callTool({ name: 'echo', arguments: { text: TEXT } }, undefined, { timeout: 5000 });
    assert.equal(textOf(again), `echo: ${TEXT}`);
    assert.equal(t.engine.runtime('raw').state, 'running');
    // The old process wrote a notification after the long line, before it exited: Warden had already
    // given that connection up (and started another), so it is not heard.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(logged, []);
  });
});

describe('a tools/call sent as a notification (no id)', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.fixture('raw-lines.mjs', 'raw')], { decisions: allowAll });
  });
  after(() => t.stop());

  test('never reaches the server: no call goes through undecided and off the record', async () => {
    const client = await t.httpClient('raw');
    await client.notification({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'undecided' } } });
    await client.ping();
    const lines = () => t.engine.runtime('raw').stderr.lines();
    for (let i = 0; i < 200 && !lines().some((l) => l.includes('got ping')); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(lines().some((l) => l.includes('got ping')), lines().join('\n'));
    assert.ok(!lines().some((l) => l.includes('got tools/call')), lines().join('\n'));
  });
});
