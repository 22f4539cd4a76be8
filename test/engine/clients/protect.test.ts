import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import type { ClientId } from '../../../shared/clients.js';
import { planProtect, commitProtect, protectClient } from '../../../src-main/engine/clients/protect.js';
import { unprotectClient } from '../../../src-main/engine/clients/unprotect.js';
import { importClient } from '../../../src-main/engine/clients/import.js';
import { backupPath } from '../../../src-main/engine/clients/backups.js';
import { MemoryKeychain, TEST_LAUNCHER, withSandbox } from './doubles.js';

interface Case {
  client: ClientId;
  fixture: string;
  serversAt: (string | number)[][];
  rewritten: string[];
  skipped: string[];
  secrets: string[];
}

const CASES: Case[] = [
  {
    client: 'claude-desktop',
    fixture: 'claude-desktop/claude_desktop_config.json',
    serversAt: [['mcpServers']],
    rewritten: ['filesystem', 'github'],
    skipped: [],
    secrets: ['ghp_FixtureFakeToken000000000000000000000'],
  },
  {
    client: 'cursor',
    fixture: 'cursor/mcp.json',
    serversAt: [['mcpServers']],
    rewritten: ['web-search', 'remote-server'],
    skipped: ['python-tool'],
    secrets: ['fixture-api-key-value', 'Bearer fixture-remote-token-0000'],
  },
  {
    client: 'vscode',
    fixture: 'vscode/mcp.json',
    serversAt: [['servers']],
    rewritten: ['memory', 'github'],
    skipped: ['Perplexity'],
    secrets: [],
  },
  {
    client: 'windsurf',
    fixture: 'windsurf/mcp_config.json',
    serversAt: [['mcpServers']],
    rewritten: ['github', 'figma'],
    skipped: [],
    secrets: ['fixture-windsurf-pat', 'fixture-figma-token'],
  },
  {
    client: 'claude-code',
    fixture: 'claude-code/.claude.json',
    serversAt: [['mcpServers'], ['projects', '/home/username/code/app', 'mcpServers']],
    rewritten: ['airtable', 'memory'],
    skipped: [],
    secrets: ['patFixtureAirtableKey'],
  },
  {
    client: 'claude-code',
    fixture: 'claude-code/.mcp.json',
    serversAt: [['mcpServers']],
    rewritten: ['shared-server', 'sentry'],
    skipped: [],
    secrets: [],
  },
];

function at(value: unknown, path: (string | number)[]): any {
  return path.reduce<any>((v, k) => (v == null ? undefined : v[k]), value);
}

/** Every key of the document except the server entries themselves. */
function withoutEntries(doc: unknown, serversAt: (string | number)[][]): unknown {
  const copy = structuredClone(doc) as any;
  for (const path of serversAt) {
    const map = at(copy, path);
    if (map) for (const k of Object.keys(map)) map[k] = '<entry>';
  }
  return copy;
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = statSync(p);
    return st.isDirectory() ? allFiles(p) : st.isFile() ? [p] : [];
  });
}

for (const c of CASES) {
  test(`${c.client} (${c.fixture}): protect routes its servers through Warden and keeps everything else; unprotect restores it byte for byte`, async () => {
    await withSandbox(async (box) => {
      const file = box.fixture(c.fixture);
      const original = readFileSync(file);
      const result = await protectClient(box.ctx, c.client, file);
      assert.equal(result.written, true);
      assert.deepEqual([...result.view.rewrites].sort(), [...c.rewritten].sort());
      assert.deepEqual(result.view.skipped.map((s) => s.name).sort(), [...c.skipped].sort());

      const after = readFileSync(file, 'utf8');
      const before = parse(original.toString('utf8'));
      const now = parse(after);
      // Every other key is kept, value for value.
      assert.deepEqual(withoutEntries(now, c.serversAt), withoutEntries(before, c.serversAt));
      for (const name of c.rewritten) {
        const path = c.serversAt.find((p) => at(now, [...p, name]))!;
        const entry = at(now, [...path, name]);
        assert.equal(entry.command, TEST_LAUNCHER.command, `${name} runs Warden`);
        assert.deepEqual(entry.args, [...TEST_LAUNCHER.args, name]);
        assert.deepEqual(entry.env, { WARDEN_DATA_DIR: box.ctx.paths.dir, WARDEN_CLIENT: c.client });
        assert.equal(entry.url ?? entry.serverUrl ?? entry.headers, undefined, 'no remote keys are left behind');
        // Keys that are not about the transport stay (Windsurf's disabledTools, ...).
        const old = at(before, [...path, name]);
        for (const k of Object.keys(old)) {
          if (!['type', 'command', 'args', 'env', 'url', 'serverUrl', 'headers', 'cwd'].includes(k)) assert.deepEqual(entry[k], old[k], `${name}.${k} kept`);
        }
      }
      for (const name of c.skipped) {
        const path = c.serversAt.find((p) => at(now, [...p, name]))!;
        assert.deepEqual(at(now, [...path, name]), at(before, [...path, name]), `${name} left as it was`);
      }
      for (const secret of c.secrets) {
        assert.ok(!after.includes(secret), 'the rewritten client file holds no secret');
        for (const f of allFiles(box.ctx.paths.dir)) assert.ok(!readFileSync(f, 'utf8').includes(secret), `${f} holds no secret`);
        assert.ok([...box.keychain.values.values()].some((v) => v.includes(secret)), 'the secret is in the keychain');
      }
      assert.ok(existsSync(backupPath(box.ctx.paths.backups, file)));

      const restored = await unprotectClient(box.ctx, c.client, file);
      assert.equal(restored.restored, 'exact');
      assert.ok(readFileSync(file).equals(original), 'the original bytes are back');
      assert.ok(!existsSync(backupPath(box.ctx.paths.backups, file)), 'the backup is gone once restored');
      assert.equal([...box.keychain.values.keys()].filter((k) => k.startsWith('backup/')).length, 0, "the backup's keychain items are removed");
    });
  });
}

test('VS Code: comments, trailing commas and the inputs block survive protect', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('vscode/mcp.json');
    await protectClient(box.ctx, 'vscode', file);
    const after = readFileSync(file, 'utf8');
    for (const comment of [
      '// VS Code MCP configuration (JSON with comments), as in the MCP configuration reference.',
      '// 💡 Inputs are prompted on first server start, then stored securely by VS Code.',
      '// https://github.com/ppl-ai/modelcontextprotocol/',
      '/* The memory server keeps a knowledge graph on disk. */',
    ]) {
      assert.ok(after.includes(comment), `kept: ${comment}`);
    }
    assert.match(after, /"type": "stdio",\n\s+"command": "\/opt\/node\/bin\/node"/, 'the http entry now says type stdio, in place');
    assert.ok(after.includes('"${input:perplexity-key}"'), 'the entry with a VS Code input is untouched');
  });
});

test('import: servers keep their names, args and env; secrets become keychain references', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const before = readFileSync(file);
    const result = await importClient(box.ctx, 'claude-desktop', file);
    assert.deepEqual(result.imported, ['filesystem', 'github']);
    assert.deepEqual(result.secretsMoved, ['github/GITHUB_PERSONAL_ACCESS_TOKEN']);
    assert.ok(readFileSync(file).equals(before), 'import leaves the client file alone');
    assert.deepEqual(box.registry.get('filesystem'), {
      name: 'filesystem',
      transport: 'stdio',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/username/Desktop', '/Users/username/Downloads'],
      env: {},
      tier: 'standard',
      capturePayloads: false,
    });
    const github = box.registry.get('github');
    assert.ok(github && github.transport === 'stdio');
    assert.deepEqual(github.env, { GITHUB_PERSONAL_ACCESS_TOKEN: { secret: 'github/GITHUB_PERSONAL_ACCESS_TOKEN' } });
    assert.equal(box.keychain.values.get('github/GITHUB_PERSONAL_ACCESS_TOKEN'), 'ghp_FixtureFakeToken000000000000000000000');

    const again = await importClient(box.ctx, 'claude-desktop', file);
    assert.deepEqual(again.imported, []);
    assert.deepEqual(again.known.sort(), ['filesystem', 'github'], 'a second import recognises the same servers (secret compared through the keychain)');
  });
});

test("a project's servers are imported to run in the project folder, as their client starts them; user-scope ones as they were", async () => {
  await withSandbox(async (box) => {
    const home = box.fixture('claude-code/.claude.json');
    await importClient(box.ctx, 'claude-code', home);
    assert.equal((box.registry.get('memory') as { cwd?: string }).cwd, '/home/username/code/app', 'a Claude Code project map');
    assert.equal((box.registry.get('airtable') as { cwd?: string }).cwd, undefined, 'user scope');

    const project = join(box.dir, 'proj');
    mkdirSync(join(project, '.vscode'), { recursive: true });
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { tools: { command: 'node', args: ['./tools/mcp.js'] }, sub: { command: 'node', args: ['x.js'], cwd: 'sub' } } }));
    writeFileSync(join(project, '.vscode', 'mcp.json'), JSON.stringify({ servers: { lint: { type: 'stdio', command: 'node', args: ['./lint.js'] } } }));
    await importClient(box.ctx, 'claude-code', join(project, '.mcp.json'));
    await importClient(box.ctx, 'vscode', join(project, '.vscode', 'mcp.json'));
    assert.equal((box.registry.get('tools') as { cwd?: string }).cwd, project);
    assert.equal((box.registry.get('sub') as { cwd?: string }).cwd, join(project, 'sub'), "an entry's own relative cwd is taken from the project folder");
    assert.equal((box.registry.get('lint') as { cwd?: string }).cwd, project);
  });
});

test('a server Warden already has with other settings is left alone, not silently re-routed', async () => {
  await withSandbox(async (box) => {
    box.registry.add({ name: 'filesystem', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/elsewhere'] });
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const plan = await planProtect(box.ctx, 'claude-desktop', file);
    assert.deepEqual(plan.view.rewrites, ['github']);
    assert.match(plan.view.skipped[0]!.reason, /already has a server "filesystem" with other settings/);
  });
});

test('an entry whose command or URL is not a string is left alone, and the reason says so', async () => {
  await withSandbox(async (box) => {
    const file = join(box.dir, 'mcp.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { numbered: { command: 5 }, weburl: { url: 7 }, empty: {} } }));
    const plan = await planProtect(box.ctx, 'cursor', file);
    assert.deepEqual(plan.view.skipped, [
      { name: 'numbered', reason: '"command" is not a string' },
      { name: 'weburl', reason: 'its URL is not a string' },
      { name: 'empty', reason: 'it has neither a command nor a URL' },
    ]);
  });
});

test('the preview shows the diff with secrets masked and writes nothing', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('windsurf/mcp_config.json');
    const before = readFileSync(file);
    const plan = await planProtect(box.ctx, 'windsurf', file);
    assert.ok(readFileSync(file).equals(before));
    assert.equal(box.registry.servers.size, 0);
    assert.equal(box.keychain.values.size, 0);
    assert.match(plan.view.diff, /^-\s+"serverUrl": "https:\/\/mcp\.figma\.example\/mcp",?$/m);
    assert.match(plan.view.diff, /^\+\s+"\/src\/warden\/bin\/warden\.js",$/m);
    assert.ok(!plan.view.diff.includes('fixture-windsurf-pat') && !plan.view.diff.includes('fixture-figma-token'), 'no secret in the diff');
    assert.match(plan.view.diff, /"GITHUB_PERSONAL_ACCESS_TOKEN": "••••••"/);
    assert.deepEqual(plan.view.secretsMoved.sort(), ['figma/X-Figma-Token', 'github/GITHUB_PERSONAL_ACCESS_TOKEN']);
  });
});

test('secrets in a JSONC file stay out of the preview and the backup, also beside a stray quote in a comment and inside comments', async () => {
  await withSandbox(async (box) => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const old = 'ghp_zyxwvutsrqponmlkjihgfedcba9876543210';
    const file = join(box.dir, 'mcp.json');
    const text = [
      '{',
      `  // old: ${old} (rotated)`,
      '  "servers": {',
      '    "github": {',
      '      "command": "npx", /* don\'t use "prod */ "args": ["-y", "@modelcontextprotocol/server-github"],',
      `      "env": { "GITHUB_TOKEN": "${token}" }`,
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    writeFileSync(file, text);
    const plan = await planProtect(box.ctx, 'vscode', file);
    assert.ok(!plan.view.diff.includes(token), `the token shows in the preview:\n${plan.view.diff}`);
    assert.ok(!plan.view.diff.includes(old), 'the token in the comment shows in the preview');
    await commitProtect(box.ctx, plan);
    const backup = readFileSync(backupPath(box.ctx.paths.backups, file), 'utf8');
    assert.ok(!backup.includes(token) && !backup.includes(old), 'the backup in the data directory holds no secret');
    assert.equal((await unprotectClient(box.ctx, 'vscode', file)).restored, 'exact');
    assert.equal(readFileSync(file, 'utf8'), text, 'restored byte for byte, comment included');
  });
});

test('protecting twice changes nothing the second time', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    await protectClient(box.ctx, 'cursor', file);
    const once = readFileSync(file);
    const second = await protectClient(box.ctx, 'cursor', file);
    assert.equal(second.written, false);
    assert.ok(readFileSync(file).equals(once));
  });
});

test('two protects of one file at once: one protects it, the other is refused, and the backup and its secrets stay whole', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const original = readFileSync(file);
    const plans = await Promise.all([planProtect(box.ctx, 'cursor', file), planProtect(box.ctx, 'cursor', file)]);
    const outcomes = await Promise.allSettled(plans.map((plan) => commitProtect(box.ctx, plan)));
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    assert.equal(refused.reason.code, 'client_file_changed');
    assert.match(refused.reason.message, /already protecting/);
    assert.ok(existsSync(backupPath(box.ctx.paths.backups, file)), 'the backup of the protect that happened is there');
    const restored = await unprotectClient(box.ctx, 'cursor', file);
    assert.equal(restored.restored, 'exact');
    assert.ok(readFileSync(file).equals(original), 'the original comes back byte for byte, secrets included');
  });
});

test('a change the client made between reading and writing is detected and kept', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const plan = await planProtect(box.ctx, 'claude-desktop', file);
    const edited = readFileSync(file, 'utf8').replace('"Alt+Space"', '"Ctrl+Alt+Space"');
    writeFileSync(file, edited);
    await assert.rejects(commitProtect(box.ctx, plan), (e: any) => e.code === 'client_file_changed' && e.message.includes(file));
    assert.equal(readFileSync(file, 'utf8'), edited, "the client's edit is still there");
    assert.ok(!existsSync(backupPath(box.ctx.paths.backups, file)), 'no backup is left for a protect that did not happen');
  });
});

test('a protect that fails at its last steps leaves Warden as it was: no imported servers, secrets or backup', async () => {
  // A keychain that takes the imported servers' secrets but then refuses the backup's (locked meanwhile).
  class LockingKeychain extends MemoryKeychain {
    locked = true;
    override async set(account: string, value: string) {
      if (this.locked && account.startsWith('backup/')) throw Object.assign(new Error('The keychain was locked.'), { code: 'keychain_unavailable' });
      return super.set(account, value);
    }
  }
  const keychain = new LockingKeychain();
  keychain.values.set('github/GITHUB_PERSONAL_ACCESS_TOKEN', 'left by a server removed long ago');
  await withSandbox(async (box) => {
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const original = readFileSync(file);
    const plan = await planProtect(box.ctx, 'claude-desktop', file);
    assert.deepEqual(plan.view.imports, ['filesystem', 'github'], 'the plan imports two servers, one with a secret');
    await assert.rejects(commitProtect(box.ctx, plan), /keychain was locked/);
    assert.ok(readFileSync(file).equals(original), "the client's file is untouched");
    assert.deepEqual([...box.registry.servers.keys()], [], 'the servers it imported are gone again');
    assert.deepEqual([...keychain.values], [['github/GITHUB_PERSONAL_ACCESS_TOKEN', 'left by a server removed long ago']], 'the keychain holds what it held before, and nothing more');
    assert.ok(!existsSync(backupPath(box.ctx.paths.backups, file)), 'no backup is left');

    // Unlocked, the same protect goes through from what was left.
    keychain.locked = false;
    const done = await protectClient(box.ctx, 'claude-desktop', file);
    assert.equal(done.written, true);
    assert.deepEqual(done.view.imports, ['filesystem', 'github']);
    assert.equal(keychain.values.get('github/GITHUB_PERSONAL_ACCESS_TOKEN'), 'ghp_FixtureFakeToken000000000000000000000');
    assert.equal((await unprotectClient(box.ctx, 'claude-desktop', file)).restored, 'exact');
    assert.ok(readFileSync(file).equals(original));
  }, keychain);
});

test("two files planned with the same new server: the second protect refuses and leaves the first one's server and secret alone", async () => {
  await withSandbox(async (box) => {
    const first = box.fixture('claude-desktop/claude_desktop_config.json');
    const second = box.fixture('claude-desktop/claude_desktop_config.json');
    const secondOriginal = readFileSync(second);
    const plans = [await planProtect(box.ctx, 'claude-desktop', first), await planProtect(box.ctx, 'claude-desktop', second)];
    assert.deepEqual(plans[1]!.view.imports, ['filesystem', 'github'], 'both plans import the servers: neither is in Warden yet');
    await commitProtect(box.ctx, plans[0]!);
    await assert.rejects(commitProtect(box.ctx, plans[1]!), (e: any) => e.code === 'server_exists' && /new preview/.test(e.message));
    assert.deepEqual([...box.registry.servers.keys()].sort(), ['filesystem', 'github'], "the first protect's servers stay");
    assert.equal(box.keychain.values.get('github/GITHUB_PERSONAL_ACCESS_TOKEN'), 'ghp_FixtureFakeToken000000000000000000000', 'and so does its secret');
    assert.ok(readFileSync(second).equals(secondOriginal), 'the second file is untouched');
    const again = await protectClient(box.ctx, 'claude-desktop', second);
    assert.equal(again.written, true, 'a new preview protects it, through the servers Warden now has');
    assert.deepEqual(again.view.imports, []);
  });
});

test('protect refuses when the preview the person saw is not what the file holds now', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const plan = await planProtect(box.ctx, 'cursor', file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"info"', '"debug"'));
    await assert.rejects(protectClient(box.ctx, 'cursor', file, plan.view.baseHash), (e: any) => e.code === 'client_file_changed');
    assert.equal(box.registry.servers.size, 0, 'nothing was imported either');
  });
});

test("protect refuses when the file is the same but what Warden would do changed since the preview (its servers did)", async () => {
  await withSandbox(async (box) => {
    const first = box.fixture('claude-desktop/claude_desktop_config.json');
    const second = box.fixture('claude-desktop/claude_desktop_config.json');
    const original = readFileSync(second);
    const preview = await planProtect(box.ctx, 'claude-desktop', second);
    assert.deepEqual(preview.view.imports, ['filesystem', 'github'], 'the preview shows two imports');
    await protectClient(box.ctx, 'claude-desktop', first); // Warden now has both servers
    await assert.rejects(protectClient(box.ctx, 'claude-desktop', second, preview.view.baseHash), (e: any) => e.code === 'client_file_changed' && /what Warden would do with it, changed since the preview/.test(e.message));
    assert.ok(readFileSync(second).equals(original), 'nothing was written: before, the file was rewritten to a diff that was never shown');
    const fresh = await planProtect(box.ctx, 'claude-desktop', second);
    assert.deepEqual(fresh.view.imports, []);
    assert.equal((await protectClient(box.ctx, 'claude-desktop', second, fresh.view.baseHash)).written, true, 'the new preview goes through');
  });
});

test('unprotect after the client changed the file puts the entries back and keeps the change', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const original = parse(readFileSync(file, 'utf8'));
    await protectClient(box.ctx, 'claude-desktop', file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"Alt+Space"', '"Ctrl+Space"'));
    const result = await unprotectClient(box.ctx, 'claude-desktop', file);
    assert.equal(result.restored, 'entries');
    const now = parse(readFileSync(file, 'utf8'));
    assert.equal(now.globalShortcut, 'Ctrl+Space');
    assert.deepEqual(now.mcpServers, original.mcpServers, 'the original entries, secret included, are back');
  });
});

test('unprotect after the client changed an entry puts back how the server is reached and keeps the rest of the entry', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const original = parse(readFileSync(file, 'utf8'));
    await protectClient(box.ctx, 'cursor', file);
    const changed = parse(readFileSync(file, 'utf8'));
    changed.mcpServers['web-search'].autoApprove = ['search'];
    changed.mcpServers['web-search'].disabled = true;
    writeFileSync(file, JSON.stringify(changed, null, 2));
    assert.equal((await unprotectClient(box.ctx, 'cursor', file)).restored, 'entries');
    const entry = parse(readFileSync(file, 'utf8')).mcpServers['web-search'];
    assert.deepEqual(entry, { ...original.mcpServers['web-search'], autoApprove: ['search'], disabled: true });
    assert.deepEqual(parse(readFileSync(file, 'utf8')).mcpServers['remote-server'], original.mcpServers['remote-server']);
  });
});

test('unprotect with a backup edited since is refused, also after the client changed the file, and changes nothing', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    await protectClient(box.ctx, 'cursor', file);
    const backupFile = backupPath(box.ctx.paths.backups, file);
    writeFileSync(backupFile, readFileSync(backupFile, 'utf8').replace('mcp-server', 'mcp-server-EDITED'));
    const changed = readFileSync(file, 'utf8').replace('"mcpServers"', '"theme": "dark",\n  "mcpServers"');
    writeFileSync(file, changed);
    await assert.rejects(unprotectClient(box.ctx, 'cursor', file), (e: any) => e.code === 'backup_invalid');
    assert.equal(readFileSync(file, 'utf8'), changed);
  });
});

test('a file protected through a symlink is unprotected by its real path (and the link stays a link)', async () => {
  await withSandbox(async (box) => {
    const real = box.fixture('cursor/mcp.json');
    const link = join(box.dir, 'linked-mcp.json');
    symlinkSync(real, link);
    const original = readFileSync(real);
    assert.equal((await protectClient(box.ctx, 'cursor', link)).written, true);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal((await protectClient(box.ctx, 'cursor', real)).written, false, 'by its real path it is the same, protected file');
    assert.equal((await unprotectClient(box.ctx, 'cursor', real)).restored, 'exact');
    assert.ok(readFileSync(real).equals(original));
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  });
});

test('unprotect of a file Warden never protected is refused and changes nothing', async () => {
  await withSandbox(async (box) => {
    const file = box.fixture('cursor/mcp.json');
    const before = readFileSync(file);
    await assert.rejects(unprotectClient(box.ctx, 'cursor', file), (e: any) => e.code === 'client_not_protected');
    assert.ok(readFileSync(file).equals(before));
  });
});

test('with no keychain, entries with secrets are left where they were and nothing holds the secret in plain text', async () => {
  const reason = 'The OS keychain is not available (no Secret Service). Secrets were left where they were and written nowhere else.';
  await withSandbox(async (box) => {
    const file = box.fixture('claude-desktop/claude_desktop_config.json');
    const original = readFileSync(file);
    const result = await protectClient(box.ctx, 'claude-desktop', file);
    assert.deepEqual(result.view.rewrites, ['filesystem']);
    assert.deepEqual(result.view.skipped, [{ name: 'github', reason }]);
    const after = readFileSync(file, 'utf8');
    assert.ok(after.includes('ghp_FixtureFakeToken000000000000000000000'), 'the secret stays in the client file');
    for (const f of allFiles(box.ctx.paths.dir)) assert.ok(!readFileSync(f, 'utf8').includes('ghp_FixtureFake'), `${f} holds no secret`);
    assert.equal(box.registry.get('github'), undefined);
    await unprotectClient(box.ctx, 'claude-desktop', file);
    assert.ok(readFileSync(file).equals(original), 'restored byte for byte, the secret read back from where it was left');
  }, new MemoryKeychain({ available: false, reason }));
});

for (const [client, fixture, where] of [
  ['claude-desktop', 'malformed/trailing-comma.json', /line 6, column 5: a key in double quotes is expected \(a trailing comma\?\)/],
  ['vscode', 'malformed/unclosed.jsonc', /line 7, column 1: /],
  ['cursor', 'malformed/servers-not-object.json', /"mcpServers" must be an object/],
  ['cursor', 'malformed/comment.json', /line 2, column 3: comments are not allowed in this file/],
] as const) {
  test(`a malformed ${client} file (${fixture}) is reported with where it breaks and never touched`, async () => {
    await withSandbox(async (box) => {
      const file = box.fixture(fixture);
      const before = readFileSync(file);
      const mtime = statSync(file).mtimeMs;
      for (const op of [() => protectClient(box.ctx, client, file), () => importClient(box.ctx, client, file)]) {
        await assert.rejects(op(), (e: any) => e.code === 'client_file_malformed' && where.test(e.message) && e.message.includes('Warden did not change it'));
      }
      assert.ok(readFileSync(file).equals(before));
      assert.equal(statSync(file).mtimeMs, mtime);
      assert.equal(allFiles(box.ctx.paths.dir).length, 0, 'no backup, no servers');
    });
  });
}
