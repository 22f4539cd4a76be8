import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENTS, clientRow, resolveClientPaths } from '../../../src-main/engine/clients/catalog.js';

const user = (id: Parameters<typeof clientRow>[0], platform: NodeJS.Platform, home: string, env: NodeJS.ProcessEnv = {}) =>
  resolveClientPaths(clientRow(id), { platform, home, env }).filter((p) => p.scope === 'user').map((p) => p.path);

test('every client id of the CLI and the API has one row', () => {
  assert.deepEqual(CLIENTS.map((c) => c.id), ['claude-desktop', 'cursor', 'vscode', 'windsurf', 'claude-code']);
});

test('Claude Desktop keeps claude_desktop_config.json in the OS app-data folder', () => {
  assert.deepEqual(user('claude-desktop', 'darwin', '/Users/ann'), ['/Users/ann/Library/Application Support/Claude/claude_desktop_config.json']);
  assert.deepEqual(user('claude-desktop', 'win32', 'C:\\Users\\ann', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }), [
    'C:\\Users\\ann\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
  ]);
  assert.deepEqual(user('claude-desktop', 'linux', '/home/ann'), ['/home/ann/.config/Claude/claude_desktop_config.json']);
  assert.deepEqual(user('claude-desktop', 'linux', '/home/ann', { XDG_CONFIG_HOME: '/xdg' }), ['/xdg/Claude/claude_desktop_config.json']);
});

test('VS Code keeps the user mcp.json in its User folder, per OS; the workspace one in .vscode', () => {
  assert.deepEqual(user('vscode', 'darwin', '/Users/ann'), ['/Users/ann/Library/Application Support/Code/User/mcp.json']);
  assert.deepEqual(user('vscode', 'win32', 'C:\\Users\\ann', {}), ['C:\\Users\\ann\\AppData\\Roaming\\Code\\User\\mcp.json']);
  assert.deepEqual(user('vscode', 'linux', '/home/ann'), ['/home/ann/.config/Code/User/mcp.json']);
  const project = resolveClientPaths(clientRow('vscode'), { platform: 'linux', home: '/home/ann', env: {}, projectDir: '/work/app' }).find((p) => p.scope === 'project');
  assert.equal(project?.path, '/work/app/.vscode/mcp.json');
});

test('Cursor, Windsurf and Claude Code live under the home folder on every OS', () => {
  assert.deepEqual(user('cursor', 'win32', 'C:\\Users\\ann'), ['C:\\Users\\ann\\.cursor\\mcp.json']);
  assert.deepEqual(user('windsurf', 'darwin', '/Users/ann'), ['/Users/ann/.codeium/windsurf/mcp_config.json']);
  assert.deepEqual(user('claude-code', 'linux', '/home/ann'), ['/home/ann/.claude.json']);
  const projects = resolveClientPaths(clientRow('claude-code'), { platform: 'linux', home: '/h', env: {}, projectDir: '/p' }).filter((p) => p.scope === 'project');
  assert.deepEqual(projects.map((p) => p.path), ['/p/.mcp.json']);
});

test("VS Code's file is JSON with comments and uses `servers`; the others use `mcpServers`", () => {
  for (const row of CLIENTS) {
    assert.equal(row.format, row.id === 'vscode' ? 'jsonc' : 'json');
    assert.equal(row.serversKey, row.id === 'vscode' ? 'servers' : 'mcpServers');
  }
  assert.equal(clientRow('windsurf').urlKeys[0], 'serverUrl');
});
