// A request of Warden's own (tools/list when a call names a tool it has not listed) whose send fails: the
// server answers it with an HTTP error, which the SDK reports as a failed send and as a lost connection.
// The call that needed it is still answered, and nothing is left to reject unheard: an unhandled
// rejection would end the engine's process (Node's default). A hand-written Streamable HTTP server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { handHttpServer, type HandServer } from '../../helpers/hand-http-server.js';

let hand: HandServer;
let t: TestEngine;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  hand = await handHttpServer((message, reply) => {
    if (message.method !== 'tools/list') return false;
    reply.fail(500, 'no list today');
    return true;
  });
  t = await startTestEngine([{ name: 'hand', transport: 'http', url: hand.url }]);
});

after(async () => {
  await t.stop();
  await hand.close();
  process.off('unhandledRejection', onUnhandled);
});

/** A call's outcome, refusing any approval it waits for (a tool Warden could not see), which answers it at once. */
async function answered(call: Promise<unknown>): Promise<unknown> {
  const settled = call.then((r) => r, (error: Error) => error);
  for (let i = 0; i < 200; i++) {
    for (const waiting of t.engine.guardian!.listPending()) t.engine.guardian!.answer(waiting.id, { effect: 'deny', scope: 'once' });
    const outcome = await Promise.race([settled, new Promise((r) => setTimeout(() => r(undefined), 25))]);
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

test('a tools/list of Warden\'s own that the server answers with an error leaves no rejection unheard, and the call is answered', { timeout: 20_000 }, async () => {
  const client = await t.httpClient('hand');
  // Not listed first: Warden asks the server for its tools before it decides.
  assert.ok((await answered(client.callTool({ name: 'anything', arguments: {} }))) !== undefined, 'the call was answered');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(unhandled.map(String), [], 'no rejection went unheard');
  // The engine still serves the session.
  assert.ok((await answered(client.callTool({ name: 'anything', arguments: {} }))) !== undefined, 'a second call is answered too');
  assert.deepEqual(unhandled.map(String), []);
});
