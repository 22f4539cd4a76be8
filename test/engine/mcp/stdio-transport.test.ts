// mcp/sdk.ts createStdioTransport: a stdio server whose process exited while a process it started
// holds its output is given up 0.5 s later, but never before what is already written to that output
// has been read, even when Warden's event loop was busy for longer than that at the exit; then Warden lets
// go of the pipe, so the connection ends without waiting for the process that holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createStdioTransport } from '../../../src-main/engine/mcp/sdk.js';

// The server: starts a helper that holds its stdout; once the helper runs (it says so on its stderr),
// the server exits, and the helper writes one answer 150 ms later and then stays.
const SERVER = `
const { spawn } = require('node:child_process');
const helper = spawn(process.execPath, ['-e', "process.stderr.write('ready\\\\n'); setTimeout(() => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { late: true } }) + '\\\\n'), 150); setTimeout(() => {}, 5000)"], { stdio: ['ignore', 'inherit', 'pipe'], detached: true });
helper.unref();
process.stderr.write('helper ' + helper.pid + '\\n');
helper.stderr.once('data', () => process.exit(0));
`;

test('an answer written after the exit is read before the server is given up, even after a stall of the event loop; then the connection ends at once', { timeout: 10_000 }, async () => {
  const events: string[] = [];
  let helper = 0;
  const transport = createStdioTransport({ command: process.execPath, args: ['-e', SERVER], stderr: 'pipe' }, (reason) => events.push(`stuck: ${reason}`));
  transport.stderr?.on('data', (chunk: Buffer) => (helper ||= Number(/helper (\d+)/.exec(String(chunk))?.[1] ?? 0)));
  transport.onmessage = (message) => events.push(`message ${JSON.stringify(message)}`);
  let closedAt = 0;
  transport.onclose = () => (closedAt = Date.now());
  try {
    await transport.start();
    const child = (transport as unknown as { _process: ChildProcess })._process;
    // Busy for 800 ms right at the exit (a long synchronous task of the engine's): the 0.5 s grace
    // runs out meanwhile, and the answer arrives meanwhile too.
    child.once('exit', () => {
      const until = Date.now() + 800;
      while (Date.now() < until);
    });
    for (let i = 0; i < 100 && !events.some((e) => e.startsWith('stuck')); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events, [
      'message {"jsonrpc":"2.0","id":1,"result":{"late":true}}',
      'stuck: the process exited (exit code 0), and a process it started still holds its output',
    ]);
    // Warden lets go of the pipe the helper holds (for 5 s more): the connection ends now.
    const stuckAt = Date.now();
    for (let i = 0; i < 100 && !closedAt; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(closedAt && closedAt - stuckAt < 1000, `closed ${closedAt ? closedAt - stuckAt : 'never'} ms after`);
  } finally {
    if (helper) process.kill(helper, 'SIGKILL');
    await transport.close();
  }
});
