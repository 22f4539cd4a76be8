// Forbidding servers by name, command, package and URL, and the allow-list. Tables over real launch
// lines of MCP servers as clients' config files write them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedPolicy } from '../../../shared/managed.js';
import { forbiddenReason, lockedTier, packagesOf } from '../../../src-main/engine/managed/servers.js';

const stdio = (command: string, ...args: string[]) => ({ name: 's', transport: 'stdio' as const, command, args });

test('packages are found behind every common launcher, without their versions', () => {
  const cases: Array<[ReturnType<typeof stdio>, string[]]> = [
    [stdio('npx', '-y', '@modelcontextprotocol/server-filesystem@2026.1.0', '/home/a'), ['@modelcontextprotocol/server-filesystem']],
    [stdio('C:\\Program Files\\nodejs\\npx.cmd', '--yes', 'mcp-server-git'), ['mcp-server-git']],
    [stdio('npm', 'exec', '--', '@acme/mcp@latest'), ['@acme/mcp']],
    [stdio('pnpm', 'dlx', 'Some-Server'), ['some-server']],
    [stdio('yarn', 'dlx', 'x-mcp'), ['x-mcp']],
    [stdio('bunx', 'bun-mcp'), ['bun-mcp']],
    [stdio('uvx', 'mcp-server-fetch==1.2'), ['mcp-server-fetch']],
    [stdio('uvx', '--from', 'git-mcp[extra]>=2', 'git-mcp-cli'), ['git-mcp', 'git-mcp-cli']],
    [stdio('uv', 'tool', 'run', 'mcp-server-time'), ['mcp-server-time']],
    [stdio('pipx', 'run', 'mcp-sqlite'), ['mcp-sqlite']],
    [stdio('npx', '-p', '@scope/pkg', 'bin-name'), ['@scope/pkg', 'bin-name']],
    [stdio('/usr/bin/node', '/home/a/proj/node_modules/@modelcontextprotocol/server-memory/dist/index.js'), ['@modelcontextprotocol/server-memory']],
    [stdio('python3', 'server.py'), []],
  ];
  for (const [server, expected] of cases) assert.deepEqual(packagesOf(server).sort(), expected.sort(), `${server.command} ${server.args.join(' ')}`);
});

const policy = ManagedPolicy.parse({
  version: 1,
  managedBy: 'Example Corp IT',
  servers: { shell: { forbidden: true, reason: 'no shells' }, fs: { tier: 'restricted' } },
  forbid: { servers: ['*-experimental'], commands: ['curl', '/opt/unvetted/*'], packages: ['mcp-server-shell*', '@bad/*'], urls: ['*.pastebin.com'] },
});

test('a server is forbidden by name, glob, command, package or URL; others pass', () => {
  const why = (s: Parameters<typeof forbiddenReason>[1]) => forbiddenReason(policy, s) ?? '';
  assert.match(why({ ...stdio('node'), name: 'shell' }), /servers\.shell: no shells/);
  assert.match(why({ ...stdio('node'), name: 'git-experimental' }), /matches forbid\.servers "\*-experimental"/);
  assert.match(why(stdio('CURL.EXE')), /command `CURL.EXE` matches forbid\.commands "curl"/);
  assert.match(why(stdio('/opt/unvetted/tool')), /forbid\.commands "\/opt\/unvetted\/\*"/);
  assert.match(why(stdio('npx', '-y', 'mcp-server-shell-pro@1')), /package `mcp-server-shell-pro`/);
  assert.match(why(stdio('npx', '@bad/anything')), /forbid\.packages "@bad\/\*"/);
  assert.match(why({ name: 'paste', transport: 'http', url: 'https://api.pastebin.com/mcp' }), /URL .* matches forbid\.urls/);
  assert.match(why(stdio('npx', 'x')), /^$/);
  assert.match(why({ name: 'ok', transport: 'http', url: 'https://mcp.example.com/' }), /^$/);
  assert.equal(lockedTier(policy, 'fs'), 'restricted');
  assert.equal(lockedTier(policy, 'other'), undefined);
});

test('onlyListedServers: only servers named (and not forbidden) in `servers` may be used', () => {
  const only = ManagedPolicy.parse({ version: 1, onlyListedServers: true, servers: { github: {}, shell: { forbidden: true } } });
  assert.equal(forbiddenReason(only, { ...stdio('npx', 'gh'), name: 'github' }), undefined);
  assert.match(forbiddenReason(only, { ...stdio('npx', 'x'), name: 'random' })!, /only the servers listed there may be used: github/);
  assert.match(forbiddenReason(only, { ...stdio('npx', 'x'), name: 'shell' })!, /servers\.shell\.forbidden/);
});
