// The CLI as a person uses it: `warden serve`, `warden status`, `warden servers`, `warden connect`
// starting an engine on demand, one engine per data directory, and failing closed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readLock } from '../../src-main/engine/lock.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { servers, tempDir, WARDEN_BIN } from '../helpers/engine.js';

const warden = (dir: string, args: string[]) =>
  spawnSync(process.execPath, [WARDEN_BIN, ...args], { env: { ...process.env, WARDEN_DATA_DIR: dir }, encoding: 'utf8', timeout: 30_000 });

function serve(dir: string): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [WARDEN_BIN, 'serve', '--no-open', '--port', '0'], { env: { ...process.env, WARDEN_DATA_DIR: dir } });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Data:')) {
        clearTimeout(timer);
        resolve({ child, out });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exit = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exit;
}

async function connectClient(dir: string, server: string) {
  const client = new Client({ name: 'cli-test', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [WARDEN_BIN, 'connect', server], env: { ...process.env, WARDEN_DATA_DIR: dir } as Record<string, string>, stderr: 'pipe' }));
  return client;
}

describe('warden serve and friends', () => {
  const temp = tempDir();
  let running: ChildProcess | undefined;
  after(async () => {
    if (running) await stopped(running);
    temp.remove();
  });

  test('serve prints the MCP and UI URLs, seeds the demo servers, and status sees it', async () => {
    const { child, out } = await serve(temp.dir);
    running = child;
    assert.match(out, /MCP: {2}http:\/\/127\.0\.0\.1:\d+\/mcp\/<server>/);
    assert.match(out, /UI: /);
    assert.match(out, /demo servers: everything, filesystem/);
    const status = warden(temp.dir, ['status', '--json']);
    assert.equal(status.status, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { running: boolean; url: string; servers: Array<{ config: { name: string } }> };
    assert.equal(parsed.running, true);
    assert.deepEqual(parsed.servers.map((s) => s.config.name).sort(), ['everything', 'filesystem']);
  });

  test('a used UI link is refused and points to `warden ui`, which prints a new link that works once', async () => {
    const first = /UI: {3}(\S+)/.exec(warden(temp.dir, ['status']).stdout) ?? undefined;
    assert.equal(first, undefined, 'status prints no link');
    const ui = warden(temp.dir, ['ui', '--no-open']);
    assert.equal(ui.status, 0, ui.stderr);
    const link = /UI: {3}(http:\/\/127\.0\.0\.1:\d+\/ui\/\?token=\S+) {2}\(works once\)/.exec(ui.stdout)?.[1];
    assert.ok(link, ui.stdout);
    const opened = await fetch(link, { redirect: 'manual' });
    assert.equal(opened.status, 200, 'the link loads the page');
    assert.match(await opened.text(), /<div id="root">/);
    const origin = new URL(link).origin;
    const token = new URL(link).searchParams.get('token')!;
    const redeem = () => fetch(`${origin}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ token }) });
    const spent = await redeem();
    assert.equal(spent.status, 200);
    const { session } = (await spent.json()) as { session: string };
    assert.match(session, /^[A-Za-z0-9_-]{40,}$/, 'the page gets its session secret in the answer, not in a URL');
    assert.equal((await redeem()).status, 401, 'a launch token is spent once');
    const again = await fetch(link, { redirect: 'manual' });
    assert.equal(again.status, 401);
    assert.match(await again.text(), /already used or has expired\. Run `warden ui` for a new one/);
    const next = /token=(\S+)/.exec(warden(temp.dir, ['ui', '--no-open']).stdout)?.[1];
    assert.ok(next && !link.endsWith(next), 'a different link each time');
  });

  test('a reader that closes the pipe early (`warden servers list | head -0`) ends it quietly, no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [WARDEN_BIN, 'servers', 'list'], { env: { ...process.env, WARDEN_DATA_DIR: temp.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy();
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  });

  test('a second serve on the same data directory says where the running one is', () => {
    const second = warden(temp.dir, ['serve', '--no-open']);
    assert.equal(second.status, 3);
    assert.match(second.stderr, /already running .* at http:\/\/127\.0\.0\.1:\d+/);
  });

  test('a server added while the engine runs is usable without a restart', async () => {
    const mem = servers.memory('mem2');
    assert.ok(mem.transport === 'stdio');
    const env = Object.entries(mem.env ?? {}).map(([k, v]) => `${k}=${String(v)}`);
    const add = warden(temp.dir, ['servers', 'add', 'mem2', '--tier', 'trusted', '--env', ...env, '--', mem.command, ...(mem.args ?? [])]);
    assert.equal(add.status, 0, add.stderr);
    const client = await connectClient(temp.dir, 'mem2');
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'create_entities'));
    await client.close();
    const list = warden(temp.dir, ['servers', 'list']);
    assert.match(list.stdout, /mem2\s+trusted/);
  });

  test('bad input to the CLI gets a clear error and a non-zero exit', () => {
    const badTier = warden(temp.dir, ['servers', 'add', 'x', '--tier', 'nope', '--', 'node']);
    assert.equal(badTier.status, 2);
    assert.match(badTier.stderr, /Unknown tier `nope`/);
    const noCommand = warden(temp.dir, ['servers', 'add', 'x']);
    assert.notEqual(noCommand.status, 0);
    for (const usage of [['servers', 'add'], ['servers', 'add', 'x', '--bogus', '--', 'node'], ['bogus'], ['audit', 'export']]) {
      assert.equal(warden(temp.dir, usage).status, 2, `bad usage exits 2: warden ${usage.join(' ')}`);
    }
    assert.equal(warden(temp.dir, ['--help']).status, 0);
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    const badClient = spawnSync(process.execPath, [WARDEN_BIN, 'connect', '--client', 'bad id!', 'everything'], { env: { ...process.env, WARDEN_DATA_DIR: temp.dir }, input: `${init}\n`, encoding: 'utf8', timeout: 30_000 });
    assert.match(badClient.stdout, /could not get this client's token, so server `everything` was not contacted: Client id `bad id!` is not valid/);
    assert.doesNotMatch(badClient.stdout, /not running/, 'the engine runs; the id is what is wrong');
    for (const [url, says] of [
      ['ftp://example.com/mcp', /url: must be an http: or https: URL/],
      ['javascript:alert(1)', /url: must be an http: or https: URL/],
      ['http://me:secret@example.com/mcp', /url: must not hold a user name or password/],
      ['notaurl', /url: Invalid url/i],
    ] as const) {
      const bad = warden(temp.dir, ['servers', 'add', 'web', '--url', url]);
      assert.equal(bad.status, 2, url);
      assert.match(bad.stderr, says);
      assert.doesNotMatch(bad.stdout + bad.stderr, /secret/, 'the password is not echoed');
    }
    assert.equal(warden(temp.dir, ['servers', 'add', 'web', '--url', 'https://example.com/mcp', '--env', 'A=1']).status, 2, '--env with --url is refused, not dropped');
    assert.doesNotMatch(warden(temp.dir, ['servers', 'list']).stdout, /^web /m, 'nothing was added');
    const unwritable = warden(temp.dir, ['audit', 'export', '--format', 'csv', '--out', join(temp.dir, 'no-such-folder', 'x.csv')]);
    assert.equal(unwritable.status, 1);
    assert.match(unwritable.stderr, /no-such-folder\/x\.csv cannot be written: ENOENT.*\[AUDIT_OUT_UNWRITABLE\]/);
    assert.doesNotMatch(unwritable.stderr, /Unhandled|    at /);
    for (const [cwd, says] of [
      ['/nonexistent/dir', /working directory \/nonexistent\/dir is not a folder that exists/],
      [join(temp.dir, 'servers.json'), /is not a folder that exists/],
    ] as const) {
      const bad = warden(temp.dir, ['servers', 'add', 'cw', '--cwd', cwd, '--', 'echo']);
      assert.equal(bad.status, 2, cwd);
      assert.match(bad.stderr, says);
    }
    const relative = spawnSync(process.execPath, [WARDEN_BIN, 'servers', 'add', 'cw', '--cwd', '.', '--', 'echo'], { cwd: temp.dir, env: { ...process.env, WARDEN_DATA_DIR: temp.dir }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(relative.status, 0, relative.stderr);
    assert.match(relative.stdout, new RegExp(`Added server \`cw\` \\(standard\\): echo \\(in ${temp.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`), 'a relative folder is taken from where the command ran');
    assert.equal(warden(temp.dir, ['servers', 'remove', 'cw']).status, 0);
    const unknown = warden(temp.dir, ['servers', 'remove', 'nosuch']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Unknown server `nosuch`/);
  });
});

describe('warden serve stopping', () => {
  test('two signals in a row (Ctrl-C twice, or timeout and npm both signalling) still stop it cleanly', async () => {
    const temp = tempDir();
    try {
      const { child } = await serve(temp.dir);
      const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      child.kill('SIGINT');
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
      assert.equal(readLock(dataPaths(temp.dir)), undefined, 'the lock is removed');
      const ui = warden(temp.dir, ['ui', '--no-open']);
      assert.equal(ui.status, 4, 'no engine: `warden ui` says so');
      assert.match(ui.stderr, /Warden is not running .*Start it with `warden serve`/);
      assert.equal(warden(temp.dir, ['approvals', 'list']).status, 4, 'a command that needs an engine, with none running, exits 4');
    } finally {
      temp.remove();
    }
  });
});

describe('warden connect without a running engine', () => {
  test('starts an engine in the background and bridges through it', async () => {
    const temp = tempDir();
    try {
      const mem = servers.memory('memory');
      writeFileSync(dataPaths(temp.dir).servers, JSON.stringify({ servers: { memory: { ...mem, name: undefined } } }));
      assert.equal(readLock(dataPaths(temp.dir)), undefined);
      const client = await connectClient(temp.dir, 'memory');
      const result = await client.callTool({ name: 'read_graph', arguments: {} });
      assert.equal(result.isError ?? false, false);
      const lock = readLock(dataPaths(temp.dir));
      assert.ok(lock?.url, 'an engine now runs for this data directory');
      await client.close();
      process.kill(lock!.pid, 'SIGTERM');
    } finally {
      await new Promise((r) => setTimeout(r, 300));
      temp.remove();
    }
  });

  test('a lock whose pid another process was given since (after a crash) holds nothing off: connect and serve take it over', async () => {
    const temp = tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const paths = dataPaths(temp.dir);
      const mem = servers.memory('memory');
      writeFileSync(paths.servers, JSON.stringify({ servers: { memory: { ...mem, name: undefined } } }));
      // What a crashed engine left, its pid now that of a live process that is no engine.
      writeFileSync(paths.lock, JSON.stringify({ pid: other.pid, url: 'http://127.0.0.1:9', port: 9, socket: join(temp.dir, 'gone.sock'), startedAt: new Date(Date.now() - 60_000).toISOString() }));
      const client = await connectClient(temp.dir, 'memory');
      const result = await client.callTool({ name: 'read_graph', arguments: {} });
      assert.equal(result.isError ?? false, false);
      const lock = readLock(paths);
      assert.ok(lock && lock.pid !== other.pid, 'a new engine holds the lock');
      const status = warden(temp.dir, ['status', '--json']);
      assert.equal(JSON.parse(status.stdout).running, true, status.stderr);
      await client.close();
      process.kill(lock.pid, 'SIGTERM');
    } finally {
      other.kill();
      await new Promise((r) => setTimeout(r, 300));
      temp.remove();
    }
  });

  test('when the engine goes away, open calls are answered and the next call reconnects to a new engine', async () => {
    const temp = tempDir();
    try {
      const mem = servers.memory('memory');
      writeFileSync(dataPaths(temp.dir).servers, JSON.stringify({ servers: { memory: { ...mem, name: undefined } } }));
      const first = await serve(temp.dir);
      const client = await connectClient(temp.dir, 'memory');
      assert.equal((await client.callTool({ name: 'read_graph', arguments: {} })).isError ?? false, false);
      await stopped(first.child);
      const again = await client.callTool({ name: 'read_graph', arguments: {} });
      assert.equal(again.isError ?? false, false, 'the session went on through a new engine');
      const lock = readLock(dataPaths(temp.dir));
      assert.ok(lock && lock.pid !== first.child.pid, 'a new engine was started in the background');
      await client.close();
      process.kill(lock!.pid, 'SIGTERM');
    } finally {
      await new Promise((r) => setTimeout(r, 300));
      temp.remove();
    }
  });

  test('fails closed with a clear MCP error when no engine can start', async () => {
    const temp = tempDir();
    try {
      writeFileSync(dataPaths(temp.dir).servers, '{ this is not json');
      await assert.rejects(connectClient(temp.dir, 'memory'), (error: Error) => {
        assert.match(error.message, /Warden is not running and could not be started, so server `memory` was not contacted/);
        assert.match(error.message, /servers\.json/);
        return true;
      });
      assert.equal(readLock(dataPaths(temp.dir)), undefined);
    } finally {
      temp.remove();
    }
  });
});
