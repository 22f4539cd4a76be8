// A server's stdout is cut into messages by mcp/sdk.ts MessageLines: whatever pieces the bytes arrive
// in, the same messages come out, in order; a line over the limit is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageLines, ServerLineTooLong } from '../../../src-main/engine/mcp/sdk.js';

const messages = [
  { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Grüße, 世界 🌍' }] } },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
  { jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'Method not found' } },
];
const text = messages.map((m) => JSON.stringify(m)).join('\r\n') + '\n';

function readAll(lines: MessageLines, pieces: Buffer[]): unknown[] {
  const out: unknown[] = [];
  for (const piece of pieces) {
    lines.append(piece);
    for (let m = lines.readMessage(); m !== null; m = lines.readMessage()) out.push(m);
  }
  return out;
}

test('the same messages come out whatever the pieces: whole, byte by byte, or cut at random', () => {
  const bytes = Buffer.from(text, 'utf8');
  assert.deepEqual(readAll(new MessageLines(), [bytes]), messages);
  assert.deepEqual(readAll(new MessageLines(), [...bytes].map((b) => Buffer.from([b]))), messages);
  for (let run = 0; run < 200; run++) {
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(Math.random() * 40);
      pieces.push(bytes.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(readAll(new MessageLines(), pieces), messages);
  }
});

test('a long line in many pieces is read whole; more than 10 MB held is refused and dropped', () => {
  const big = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x'.repeat(9 * 1024 * 1024) } };
  const bytes = Buffer.from(JSON.stringify(big) + '\n');
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65536) pieces.push(bytes.subarray(at, at + 65536));
  const [read] = readAll(new MessageLines(), pieces) as Array<typeof big>;
  assert.equal(read!.params.data.length, big.params.data.length);

  const lines = new MessageLines();
  const chunk = Buffer.alloc(1024 * 1024, 'x'.charCodeAt(0));
  for (let i = 0; i < 10; i++) lines.append(chunk);
  assert.throws(() => lines.append(chunk), ServerLineTooLong);
  lines.append(Buffer.from(JSON.stringify(messages[0]) + '\n'));
  assert.deepEqual(lines.readMessage(), messages[0], 'after the refusal, what was held is gone');
});
