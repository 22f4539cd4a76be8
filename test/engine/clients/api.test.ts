// The Clients screen's API (shared/api/clients.ts) against a real engine: list, preview, protect with
// the preview's hash, unprotect; and no file outside the clients' own configs can be named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestEngine } from '../../helpers/engine.js';
import { FIXTURES } from './doubles.js';

const home = mkdtempSync(join(tmpdir(), 'warden-api-home-'));
process.env.HOME = home;
delete process.env.XDG_CONFIG_HOME;

test('list, preview, protect (with the preview hash) and unprotect through the API', async () => {
  const te = await startTestEngine();
  try {
    const file = join(home, '.config', 'Code', 'User', 'mcp.json');
    mkdirSync(join(file, '..'), { recursive: true });
    cpSync(join(FIXTURES, 'vscode', 'mcp.json'), file);
    const original = readFileSync(file);
    const events: unknown[] = [];
    te.engine.on('clients.changed', (e) => events.push(e));

    const list = await te.engine.api('clients.list', {});
    assert.ok(list.ok);
    const vscode = (list.result as any[]).find((c) => c.id === 'vscode');
    assert.equal(vscode.detected, true);
    assert.equal(vscode.files[0].path, file);

    const preview = await te.engine.api('clients.preview', { client: 'vscode', path: file });
    assert.ok(preview.ok);
    const view = preview.result as any;
    assert.deepEqual(view.rewrites, ['memory', 'github']);
    assert.match(view.diff, /^\+\s+"connect",$/m);
    assert.ok(readFileSync(file).equals(original), 'preview changes nothing');

    const done = await te.engine.api('clients.protect', { client: 'vscode', path: file, expectHash: view.baseHash });
    assert.ok(done.ok, JSON.stringify(done));
    assert.equal((done.result as any).written, true);
    assert.ok(!readFileSync(file).equals(original));
    assert.deepEqual(te.engine.servers.list().map((s) => s.name).sort(), ['github', 'memory']);
    assert.deepEqual(events, [{ client: 'vscode', path: file }]);

    const undo = await te.engine.api('clients.unprotect', { client: 'vscode', path: file });
    assert.ok(undo.ok);
    assert.equal((undo.result as any).restored, 'exact');
    assert.ok(readFileSync(file).equals(original));
  } finally {
    await te.stop();
  }
});

test('protect with a stale preview hash is refused; a path that is not a client config is refused', async () => {
  const te = await startTestEngine();
  try {
    const file = join(home, '.cursor', 'mcp.json');
    mkdirSync(join(file, '..'), { recursive: true });
    cpSync(join(FIXTURES, 'claude-code', '.mcp.json'), file);
    const stale = await te.engine.api('clients.protect', { client: 'cursor', path: file, expectHash: 'not-the-hash' });
    assert.ok(!stale.ok);
    assert.equal(stale.error.code, 'client_file_changed');

    const other = await te.engine.api('clients.protect', { client: 'cursor', path: join(home, '.bashrc') });
    assert.ok(!other.ok);
    assert.equal(other.error.code, 'bad_input');
    assert.match(other.error.message, /is not a config file of Cursor/);
  } finally {
    await te.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
