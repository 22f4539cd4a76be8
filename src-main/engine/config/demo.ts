// The embedded default: with nothing configured, Warden starts with a demo set of real servers, so a
// newcomer sees it work at once. They run from this install's own node_modules (no npx, no network).
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerConfigInput } from '../../../shared/servers.js';
import type { ServerStore } from './servers.js';

const require = createRequire(import.meta.url);

/** The absolute path of an installed package's bin script. */
export function packageBin(pkg: string): string {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = require(manifestPath) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (!bin) throw new Error(`${pkg} has no bin`);
  return join(dirname(manifestPath), bin);
}

export function demoServers(sandbox: string, node = process.execPath): ServerConfigInput[] {
  return [
    { name: 'everything', transport: 'stdio', command: node, args: [packageBin('@modelcontextprotocol/server-everything'), 'stdio'], tier: 'standard' },
    { name: 'filesystem', transport: 'stdio', command: node, args: [packageBin('@modelcontextprotocol/server-filesystem'), sandbox], tier: 'standard' },
  ];
}

/** Adds the demo servers when the person has never configured any. Returns the names added. */
export function seedDemoServers(store: ServerStore, sandbox: string): string[] {
  if (store.exists()) return [];
  mkdirSync(sandbox, { recursive: true, mode: 0o700 });
  const readme = join(sandbox, 'README.txt');
  if (!existsSync(readme)) writeFileSync(readme, 'This folder is the demo sandbox of the `filesystem` server that Warden protects.\n');
  const added: string[] = [];
  for (const server of demoServers(sandbox)) {
    store.add(server);
    added.push(server.name);
  }
  return added;
}
