// Unprotect in the cases where the original cannot simply be written back: a protect still under way,
// a protect that stopped before it wrote the file, entries renamed since, and a keychain item gone.
// In each, the person's file and Warden's way back stay whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'jsonc-parser';
import { backupPath } from '../../../src-main/engine/clients/backups.js';
import { protectClient } from '../../../src-main/engine/clients/protect.js';
import { unprotectClient } from '../../../src-main/engine/clients/unprotect.js';
import { MemoryKeychain, withSandbox } from './doubles.js';

/** A keychain whose writes wait until `open()`: a protect holds there, after its backup, before its rewrite. */
class GatedKeychain extends MemoryKeychain {
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));
  open() {
    this.#open();
  }
  override async set(account: string, value: string) {
    await this.#gate;
    return super.set(account, value);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

test('an unprotect while a protect of the same file is under way is refused; the protect then completes, and can be undone', async () => {
  const keychain = new GatedKeychain();
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const original = readFileSync(file);
    const protecting = protectClient(box.ctx, 'cursor', file);
    const backup = backupPath(box.ctx.paths.backups, file);
    for (let i = 0; i < 200 && !existsSync(backup); i++) await sleep(5);
    assert.ok(existsSync(backup), 'the protect took its backup and waits in its import');

    await assert.rejects(unprotectClient(box.ctx, 'cursor', file), (e: any) => e.code === 'client_file_changed' && /is protecting .* right now/.test(e.message));
    assert.ok(existsSync(backup), 'the backup is still there');

    keychain.open();
    assert.equal((await protecting).written, true);
    assert.match(readFileSync(file, 'utf8'), /"connect"/, 'the file goes through Warden');
    assert.equal(JSON.parse(readFileSync(backup, 'utf8')).pendingPid, undefined, 'the finished protect no longer holds the file');
    assert.equal((await unprotectClient(box.ctx, 'cursor', file)).restored, 'exact');
    assert.ok(readFileSync(file).equals(original));
  }, keychain);
});

test('a protect that stopped before it wrote the file (its process gone) leaves a backup that unprotect clears, with the file as it is', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const original = readFileSync(file);
    await protectClient(box.ctx, 'cursor', file);
    // As a protect killed between its backup and its rewrite leaves things: the original file, a backup held by a dead process.
    const backup = backupPath(box.ctx.paths.backups, file);
    writeFileSync(backup, JSON.stringify({ ...JSON.parse(readFileSync(backup, 'utf8')), pendingPid: deadPid() }));
    writeFileSync(file, original);
    assert.ok(box.keychain.values.size > 0);

    assert.equal((await unprotectClient(box.ctx, 'cursor', file)).restored, 'exact');
    assert.ok(readFileSync(file).equals(original), 'the file is untouched');
    assert.equal(existsSync(backup), false, 'the backup is gone');
    assert.deepEqual([...box.keychain.values.keys()].filter((a) => a.startsWith('backup/')), [], "and its keychain items");
  });
});

test('unprotect puts back an entry the client renamed since, found by the Warden server it goes to', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const original = parse(readFileSync(file, 'utf8'));
    await protectClient(box.ctx, 'cursor', file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"web-search":', '"web-search-renamed":'));
    assert.equal((await unprotectClient(box.ctx, 'cursor', file)).restored, 'entries');
    const text = readFileSync(file, 'utf8');
    const now = parse(text);
    assert.deepEqual(now.mcpServers['web-search-renamed'], original.mcpServers['web-search'], 'the renamed entry reaches its server as before, secret included');
    assert.deepEqual(now.mcpServers['remote-server'], original.mcpServers['remote-server']);
    assert.doesNotMatch(text, /warden\.js/, 'no entry still goes through Warden');
  });
});

test('a keychain item gone from outside the rewritten entries does not block putting the entries back; one from inside them does, and nothing changes', async () => {
  const withTopLevelSecret = (file: string) =>
    writeFileSync(file, readFileSync(file, 'utf8').replace('{\n  "mcpServers"', '{\n  "syncToken": "ghp_OutsideTheEntries00000000000000000000",\n  "mcpServers"'));
  const accountOf = (keychain: MemoryKeychain, value: string) => [...keychain.values].find(([account, v]) => account.startsWith('backup/') && v.includes(value))?.[0];

  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    withTopLevelSecret(file);
    const original = parse(readFileSync(file, 'utf8'));
    await protectClient(box.ctx, 'cursor', file);
    const outside = accountOf(box.keychain, 'ghp_OutsideTheEntries');
    assert.ok(outside, 'the backup keeps the top-level secret in the keychain');
    box.keychain.values.delete(outside);

    assert.equal((await unprotectClient(box.ctx, 'cursor', file)).restored, 'entries', 'not byte for byte: a part of the original is gone');
    assert.deepEqual(parse(readFileSync(file, 'utf8')), original, 'the entries are back, and the top-level value was never changed');
  });

  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    await protectClient(box.ctx, 'cursor', file);
    const inside = accountOf(box.keychain, 'fixture-api-key-value');
    assert.ok(inside);
    box.keychain.values.delete(inside);
    const before = readFileSync(file);
    await assert.rejects(unprotectClient(box.ctx, 'cursor', file), (e: any) => e.code === 'secret_missing');
    assert.ok(readFileSync(file).equals(before), 'the file is as Warden left it');
    assert.ok(existsSync(backupPath(box.ctx.paths.backups, file)), 'and the backup stays');
  });
});

test('unprotect of a config deleted since puts the original back where it was, secrets included', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const original = readFileSync(file);
    await protectClient(box.ctx, 'cursor', file);
    rmSync(dirname(file), { recursive: true });
    assert.equal((await unprotectClient(box.ctx, 'cursor', file)).restored, 'exact');
    assert.ok(readFileSync(file).equals(original));
    assert.equal(existsSync(backupPath(box.ctx.paths.backups, file)), false, 'the backup is used up');
    await assert.rejects(unprotectClient(box.ctx, 'cursor', file), (e: any) => e.code === 'client_not_protected');
  });
});
