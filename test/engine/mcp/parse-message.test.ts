// Server output is checked against the one schema a message's keys name (mcp/sdk.ts parseMessage)
// instead of the SDK's union: the same messages must pass, with the same result, and the same must fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { parseMessage } from '../../../src-main/engine/mcp/sdk.js';

const corpus: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } },
  { jsonrpc: '2.0', id: 'warden:warm-up', result: {} },
  { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'Echo: x' }], structuredContent: { a: 1 } } },
  { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } },
  { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'nope', data: [1] } },
  { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } },
  // refused by the SDK
  { jsonrpc: '2.0', id: 1, method: 'x', result: {} },
  { jsonrpc: '2.0', id: null, method: 'x' },
  { jsonrpc: '2.0', id: 1.5, result: {} },
  { jsonrpc: '1.0', id: 1, result: {} },
  { jsonrpc: '2.0', id: 1, result: {}, extra: true },
  { jsonrpc: '2.0', id: 1, error: { code: 'x', message: 'y' } },
  { jsonrpc: '2.0', id: 1, error: {}, result: {} },
  { jsonrpc: '2.0', method: 7 },
  { jsonrpc: '2.0', id: 1 },
  { jsonrpc: '2.0' },
  [],
  'text',
  42,
  null,
];

test('a server message passes, with the same value, exactly when the SDK would pass it', () => {
  let refused = 0;
  for (const raw of corpus) {
    const sdk = JSONRPCMessageSchema.safeParse(raw);
    if (sdk.success) {
      assert.deepEqual(parseMessage(raw), sdk.data, JSON.stringify(raw));
    } else {
      refused += 1;
      assert.throws(() => parseMessage(raw), JSON.stringify(raw));
    }
  }
  assert.ok(refused >= 10, 'the corpus holds messages the SDK refuses');
});
