// How protect treats the file itself: Windows line endings and byte-order mark, a symlinked config
// (dotfiles), and the file's permissions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { protectClient } from '../../../src-main/engine/clients/protect.js';
import { unprotectClient } from '../../../src-main/engine/clients/unprotect.js';
import { withSandbox } from './doubles.js';

test('a Windows file (CRLF, byte-order mark) gets CRLF lines and keeps its mark; unprotect gives the same bytes', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const windows = '\uFEFF' + readFileSync(file, 'utf8').replace(/\n/g, '\r\n');
    writeFileSync(file, windows);
    const original = readFileSync(file);
    await protectClient(box.ctx, 'claude-desktop', file);
    const after = readFileSync(file, 'utf8');
    assert.ok(after.startsWith('\uFEFF{'), 'the byte-order mark is kept');
    assert.ok(!/[^\r]\n/.test(after), 'every line ends in CRLF');
    assert.equal(parse(after.slice(1)).mcpServers.filesystem.args.at(-1), 'filesystem');
    await unprotectClient(box.ctx, 'claude-desktop', file);
    assert.ok(readFileSync(file).equals(original));
  });
});

test('a symlinked config stays a symlink (the target is rewritten) and the file keeps its permissions', async () => {
  await withSandbox(async (box) => {
    const target = box.fixture('cursor/mcp.json');
    chmodSync(target, 0o600);
    mkdirSync(join(box.dir, 'home', '.cursor'), { recursive: true });
    const link = join(box.dir, 'home', '.cursor', 'mcp.json');
    symlinkSync(target, link);
    const original = readFileSync(target);
    const result = await protectClient(box.ctx, 'cursor', link);
    assert.equal(result.written, true);
    assert.ok(lstatSync(link).isSymbolicLink(), 'still a symlink');
    assert.equal(readlinkSync(link), target);
    assert.ok(!readFileSync(target).equals(original), 'the target holds the protected config');
    assert.equal(statSync(target).mode & 0o777, 0o600, 'permissions kept');
    await unprotectClient(box.ctx, 'cursor', link);
    assert.ok(readFileSync(target).equals(original));
    assert.ok(lstatSync(link).isSymbolicLink());
  });
});

test('a config made read-only is not replaced (a rename would get past its mode): protect says so and leaves Warden as it was', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    chmodSync(file, 0o444);
    const original = readFileSync(file);
    await assert.rejects(protectClient(box.ctx, 'cursor', file), (e: any) => e.code === 'client_file_unusable' && /is read-only\. Warden did not change it/.test(e.message));
    assert.ok(readFileSync(file).equals(original));
    assert.equal(statSync(file).mode & 0o777, 0o444);
    assert.equal(box.registry.servers.size, 0, 'nothing was imported');
    assert.equal(box.keychain.values.size, 0, 'no secret was stored');
  });
});
