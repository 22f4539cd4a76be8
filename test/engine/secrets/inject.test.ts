// End to end under a real Secret Service (the test run starts gnome-keyring in a D-Bus session; see
// .ci/run): a client's config is protected, a real SDK client spawns exactly the command written into
// the file, reaches server-everything through `warden connect` and the engine, and the server sees the
// secret in its environment, while no file of the data directory or the client's config holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { packageBin } from '../../../src-main/engine/config/demo.js';
import type { ClientsContext } from '../../../src-main/engine/clients/context.js';
import { resolveLauncher } from '../../../src-main/engine/clients/launcher.js';
import { protectClient } from '../../../src-main/engine/clients/protect.js';
import { unprotectClient } from '../../../src-main/engine/clients/unprotect.js';
import { OsKeychain } from '../../../src-main/engine/secrets/keychain.js';
import { startTestEngine } from '../../helpers/engine.js';

const SECRET = `sk-warden-test-${process.pid}-Q7v9Zx2LmN4pR8tY`;

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = statSync(p);
    return st.isDirectory() ? allFiles(p) : st.isFile() ? [p] : [];
  });
}

test('a secret moved on protect reaches the server through the rewritten entry, and is in no file', { timeout: 60_000 }, async () => {
  const te = await startTestEngine();
  const keychain = OsKeychain.forDataDir(te.dir);
  const clientDir = mkdtempSync(join(tmpdir(), 'warden-claude-'));
  const file = join(clientDir, 'claude_desktop_config.json');
  const original =
    JSON.stringify(
      {
        mcpServers: {
          everything: {
            command: process.execPath,
            args: [packageBin('@modelcontextprotocol/server-everything'), 'stdio'],
            env: { EVERYTHING_API_KEY: SECRET, PLAIN_SETTING: 'visible-value' },
          },
        },
        globalShortcut: 'Alt+Space',
      },
      null,
      2,
    ) + '\n';
  writeFileSync(file, original);
  const ctx: ClientsContext = { paths: te.engine.paths, servers: te.engine.servers, keychain, launcher: resolveLauncher() };
  let client: Client | undefined;
  try {
    const status = await keychain.status();
    assert.ok(status.available, `This test needs the OS keychain (a Secret Service in the D-Bus session). ${status.available ? '' : status.reason}`);
    const result = await protectClient(ctx, 'claude-desktop', file);
    assert.deepEqual(result.view.secretsMoved, ['everything/EVERYTHING_API_KEY']);
    assert.equal(await keychain.get('everything/EVERYTHING_API_KEY'), SECRET, 'stored in the OS keychain');

    const written = readFileSync(file, 'utf8');
    assert.ok(!written.includes(SECRET), 'the client config holds no secret');
    const entry = JSON.parse(written).mcpServers.everything as { command: string; args: string[]; env: Record<string, string> };
    assert.deepEqual(entry.args.slice(-2), ['connect', 'everything']);

    // Exactly what Claude Desktop would run.
    client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: entry.env, stderr: 'pipe' }));
    const { tools } = await client.listTools();
    const envTool = tools.find((t) => /env/i.test(t.name));
    assert.ok(envTool, `server-everything lists a tool that prints its env (tools: ${tools.map((t) => t.name).join(', ')})`);
    const shown = await client.callTool({ name: envTool.name, arguments: {} });
    const text = JSON.stringify(shown.content);
    assert.ok(text.includes(SECRET), 'the secret is in the server process environment');
    assert.ok(text.includes('visible-value'), 'plain env values are passed as they were');

    await client.close();
    client = undefined;
    for (const f of allFiles(te.dir)) assert.ok(!readFileSync(f).includes(SECRET), `${f} must not hold the secret`);
    assert.ok(!readFileSync(file, 'utf8').includes(SECRET));

    await unprotectClient(ctx, 'claude-desktop', file);
    assert.equal(readFileSync(file, 'utf8'), original, 'unprotect puts the original back, secret included');
  } finally {
    await client?.close().catch(() => undefined);
    for (const account of await keychain.accounts().catch(() => [])) await keychain.delete(account).catch(() => false);
    await te.stop();
    rmSync(clientDir, { recursive: true, force: true });
  }
});
