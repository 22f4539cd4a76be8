// `warden clients ...` as a person runs it: the real bin/warden.js in a child process, on fixture copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from './doubles.js';

const BIN = new URL('../../../bin/warden.js', import.meta.url).pathname;

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'warden-clients-cli-'));
  const env = { ...process.env, WARDEN_DATA_DIR: join(dir, 'data'), HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config') };
  mkdirSync(env.HOME, { recursive: true });
  const warden = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  const copy = (fixture: string, to = join(dir, fixture.split('/').pop()!)) => {
    mkdirSync(join(to, '..'), { recursive: true });
    cpSync(join(FIXTURES, fixture), to);
    return to;
  };
  return { dir, env, warden, copy, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('clients protect --dry-run shows the diff and changes nothing; protect then unprotect gives the same bytes back', () => {
  const s = sandbox();
  try {
    const file = s.copy('vscode/mcp.json');
    const original = readFileSync(file);
    const dry = s.warden('clients', 'protect', 'vscode', '--config', file, '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /through Warden: memory, github/);
    assert.match(dry.stdout, /left as it is: Perplexity: it uses \$\{input:perplexity-key\}/);
    assert.match(dry.stdout, /^ {2}\+\s+"connect",$/m);
    assert.ok(readFileSync(file).equals(original));

    const done = s.warden('clients', 'protect', 'vscode', '--config', file);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /protected\. Original saved in /);
    const rewritten = readFileSync(file, 'utf8');
    assert.ok(rewritten.includes(`"${BIN}"`), 'the entry runs this checkout\'s bin/warden.js');
    assert.ok(rewritten.includes(`"${process.execPath}"`), 'with the absolute path of node');

    const tokens = JSON.parse(readFileSync(join(s.env.WARDEN_DATA_DIR, 'tokens.json'), 'utf8'));
    assert.ok(tokens.clients.vscode?.token, 'protecting the client issued its token');
    assert.ok(rewritten.includes('"WARDEN_CLIENT": "vscode"'), 'and the entry says which client it is');
    const servers = s.warden('servers', 'list', '--json');
    assert.deepEqual(JSON.parse(servers.stdout).map((v: any) => v.config.name).sort(), ['github', 'memory']);

    const undo = s.warden('clients', 'unprotect', 'vscode', '--config', file);
    assert.equal(undo.status, 0, undo.stderr);
    assert.match(undo.stdout, /original restored, byte for byte/);
    assert.ok(readFileSync(file).equals(original));
  } finally {
    s.cleanup();
  }
});

test('a malformed file: clear message with its code, non-zero exit, file untouched', () => {
  const s = sandbox();
  try {
    const file = s.copy('malformed/trailing-comma.json');
    const before = readFileSync(file);
    const r = s.warden('clients', 'protect', 'claude-desktop', '--config', file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not valid \(line 6, column 5: a key in double quotes is expected \(a trailing comma\?\)\)\. Warden did not change it.* \[client_file_malformed\]/);
    assert.ok(readFileSync(file).equals(before));
  } finally {
    s.cleanup();
  }
});

test('an unknown client id is refused with the list of known ones', () => {
  const s = sandbox();
  try {
    const r = s.warden('clients', 'protect', 'notepad');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Unknown client `notepad`\. Use one of: claude-desktop, cursor, vscode, windsurf, claude-code\. \[client_unknown\]/);
  } finally {
    s.cleanup();
  }
});

test('clients list finds the configs in the home folder and says what each holds', () => {
  const s = sandbox();
  try {
    s.copy('windsurf/mcp_config.json', join(s.env.HOME, '.codeium', 'windsurf', 'mcp_config.json'));
    s.copy('vscode/mcp.json', join(s.env.XDG_CONFIG_HOME, 'Code', 'User', 'mcp.json'));
    const r = s.warden('clients', 'list', '--json');
    assert.equal(r.status, 0, r.stderr);
    const infos = JSON.parse(r.stdout) as any[];
    const byId = Object.fromEntries(infos.map((i) => [i.id, i]));
    assert.equal(byId.windsurf.detected, true);
    assert.equal(byId.cursor.detected, false);
    assert.deepEqual(byId.vscode.files[0].entries.map((e: any) => [e.name, e.state]), [
      ['Perplexity', 'skipped'],
      ['memory', 'direct'],
      ['github', 'direct'],
    ]);
    assert.ok(!r.stdout.includes('fixture-windsurf-pat'), 'no secret value in the listing');
    assert.deepEqual(byId.windsurf.files[0].entries.find((e: any) => e.name === 'github').secrets, ['GITHUB_PERSONAL_ACCESS_TOKEN']);

    const table = s.warden('clients', 'list');
    assert.match(table.stdout, /^vscode\s+user\s+not protected\s+Perplexity\(skipped\), memory, github\s+/m);
    assert.match(table.stdout, /^vscode Perplexity: left as it is: it uses \$\{input:perplexity-key\}, which only VS Code can fill in$/m);
  } finally {
    s.cleanup();
  }
});

test('a damaged backup: list shows the file protected with the damage, and unprotect says so and changes nothing', () => {
  const s = sandbox();
  try {
    const file = s.copy('vscode/mcp.json', join(s.env.XDG_CONFIG_HOME, 'Code', 'User', 'mcp.json'));
    const done = s.warden('clients', 'protect', 'vscode');
    assert.equal(done.status, 0, done.stderr);
    const backups = join(s.env.WARDEN_DATA_DIR, 'backups', 'clients');
    const [backup] = readdirSync(backups).filter((name) => name.endsWith('.json'));
    writeFileSync(join(backups, backup!), '{ not a backup');
    const rewritten = readFileSync(file);
    const list = s.warden('clients', 'list', '--json');
    assert.equal(list.status, 0, list.stderr);
    const view = (JSON.parse(list.stdout) as Array<{ id: string; files: Array<{ path: string; protected: boolean; error?: { code: string } }> }>).find((c) => c.id === 'vscode')!.files.find((f) => f.path === file)!;
    assert.equal(view.protected, true);
    assert.equal(view.error?.code, 'backup_invalid');
    const undo = s.warden('clients', 'unprotect', 'vscode');
    assert.notEqual(undo.status, 0);
    assert.match(undo.stderr, /backup .* is damaged.*\[backup_invalid\]/s);
    assert.ok(readFileSync(file).equals(rewritten), 'the file is as Warden left it');
  } finally {
    s.cleanup();
  }
});

test('a protected config deleted since is found by unprotect without --config and put back byte for byte', () => {
  const s = sandbox();
  try {
    const file = s.copy('cursor/mcp.json', join(s.env.HOME, '.cursor', 'mcp.json'));
    const original = readFileSync(file);
    const done = s.warden('clients', 'protect', 'cursor');
    assert.equal(done.status, 0, done.stderr);
    rmSync(file);
    const undo = s.warden('clients', 'unprotect', 'cursor');
    assert.equal(undo.status, 0, `before, "No MCP config of Cursor found" although the backup was there: ${undo.stderr}`);
    assert.match(undo.stdout, /original restored, byte for byte/);
    assert.ok(readFileSync(file).equals(original));
  } finally {
    s.cleanup();
  }
});

test("--config naming another client's own file is refused, and the file is left alone", () => {
  const s = sandbox();
  try {
    const file = join(s.env.HOME, '.claude.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { notes: { command: 'echo' } } }));
    const before = readFileSync(file);
    const r = s.warden('clients', 'protect', 'cursor', '--config', file, '--dry-run');
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /\.claude\.json is Claude Code's config, not Cursor's\. Use `warden clients \.\.\. claude-code` for it/);
    assert.ok(readFileSync(file).equals(before));
    assert.equal(s.warden('clients', 'protect', 'claude-code', '--config', file, '--dry-run').status, 0, 'for its own client it works');
  } finally {
    s.cleanup();
  }
});
