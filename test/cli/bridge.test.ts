// The stdio bridge (`warden connect`) against engine sockets that misbehave: one that closes the
// connection before it greets, one that greets with something that is not Warden's greeting. Each
// request gets an MCP error at once and the bridge goes on answering; before, the first left every
// later request waiting for good. The bridge runs as its own process, as a client launches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bridgeModule = fileURLToPath(new URL('../../src-main/cli/bridge.ts', import.meta.url));

async function withEngineSocket(onConnection: (socket: Socket) => void, run: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bridge-'));
  const path = join(dir, 'engine.sock');
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    await run(path);
  } finally {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the bridge on `path`, sends `lines` one at a time, and returns the answers it printed. */
async function bridgeAnswers(path: string, lines: object[], expected: number): Promise<Array<{ id?: unknown; error?: { message: string } }>> {
  const code = `import { StdioBridge } from ${JSON.stringify(bridgeModule)};
new StdioBridge({ server: 'x', token: 't', engineSocket: async () => ${JSON.stringify(path)}, log: () => {} }).run();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const answers = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: unknown; error?: { message: string } });
  try {
    for (const line of lines) {
      child.stdin.write(JSON.stringify(line) + '\n');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 0; i < 200 && answers().length < expected; i++) await new Promise((r) => setTimeout(r, 25));
    return answers();
  } finally {
    child.kill();
  }
}

const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };

test('an engine socket that closes before it greets: each request gets an MCP error, and later ones too', { timeout: 20_000 }, async () => {
  await withEngineSocket((socket) => socket.destroy(), async (path) => {
    const answers = await bridgeAnswers(path, [init, ping], 2);
    assert.deepEqual(answers.map((a) => a.id), [1, 2]);
    for (const a of answers) assert.match(a.error?.message ?? '', /closed the connection before it answered/);
  });
});

test('an engine socket that greets with something that is not Warden: refused with an MCP error, and the bridge goes on', { timeout: 20_000 }, async () => {
  // What an HTTP server answers a line it cannot read: its status line, then headers the client must not see.
  await withEngineSocket((socket) => socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'), async (path) => {
    const answers = await bridgeAnswers(path, [init, ping], 2);
    assert.deepEqual(answers.map((a) => a.id), [1, 2]);
    for (const a of answers) assert.match(a.error?.message ?? '', /refused the connection/);
  });
});

test('a request the client cancelled is not answered when the engine goes away; one still open is', { timeout: 20_000 }, async () => {
  // An engine that greets, takes requests, never answers, and goes away once the cancellation came.
  let sawCancel = false;
  await withEngineSocket((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      if (buffer === '') socket.write(JSON.stringify({ warden: 'ok' }) + '\n');
      buffer += chunk;
      if (!sawCancel && buffer.includes('notifications/cancelled')) {
        sawCancel = true;
        setTimeout(() => socket.destroy(), 50);
      }
    });
  }, async (path) => {
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'slow', arguments: {} } });
    const answers = await bridgeAnswers(path, [init, call(5), call(6), { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5, reason: 'no longer needed' } }], 2);
    assert.ok(sawCancel, 'the engine got the cancellation');
    assert.deepEqual(answers.map((a) => a.id).sort(), [1, 6], 'initialize and the call still open are answered; the cancelled one is not');
    for (const a of answers) assert.match(a.error?.message ?? '', /Warden stopped before/);
  });
});
