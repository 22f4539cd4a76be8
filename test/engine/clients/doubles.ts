// In-memory stand-ins for the OS keychain and the server store, for the tests of file rewriting.
// The real keychain is exercised under a real Secret Service in test/engine/secrets/.
import { mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerConfig, type ServerConfigInput } from '../../../shared/servers.js';
import type { ServerRegistry } from '../../../src-main/engine/clients/analyze.js';
import type { ClientsContext } from '../../../src-main/engine/clients/context.js';
import type { Launcher } from '../../../src-main/engine/clients/launcher.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import type { Keychain, KeychainStatus } from '../../../src-main/engine/secrets/keychain.js';

export class MemoryKeychain implements Keychain {
  readonly service = 'Warden (test)';
  readonly values = new Map<string, string>();
  constructor(private readonly availability: KeychainStatus = { available: true }) {}
  async status() {
    return this.availability;
  }
  #check() {
    if (!this.availability.available) throw Object.assign(new Error(this.availability.reason), { code: 'keychain_unavailable' });
  }
  async get(account: string) {
    this.#check();
    return this.values.get(account);
  }
  async set(account: string, value: string) {
    this.#check();
    this.values.set(account, value);
  }
  async delete(account: string) {
    this.#check();
    return this.values.delete(account);
  }
  async accounts() {
    this.#check();
    return [...this.values.keys()].sort();
  }
}

export class MemoryRegistry implements ServerRegistry {
  readonly servers = new Map<string, ServerConfig>();
  get(name: string) {
    return this.servers.get(name);
  }
  add(input: ServerConfigInput) {
    const parsed = ServerConfig.parse(input);
    if (this.servers.has(parsed.name)) throw new Error(`exists: ${parsed.name}`);
    this.servers.set(parsed.name, parsed);
    return parsed;
  }
  remove(name: string) {
    if (!this.servers.delete(name)) throw new Error(`unknown: ${name}`);
  }
}

export const FIXTURES = new URL('../../fixtures/clients/', import.meta.url).pathname;

export const TEST_LAUNCHER: Launcher = { command: '/opt/node/bin/node', args: ['/src/warden/bin/warden.js', 'connect'], how: 'test' };

export interface Sandbox {
  dir: string;
  ctx: ClientsContext;
  keychain: MemoryKeychain;
  registry: MemoryRegistry;
  /** Copies a fixture into the sandbox and returns the copy's path. */
  fixture(relative: string): string;
  cleanup(): void;
}

export function sandbox(keychain = new MemoryKeychain()): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'warden-clients-'));
  const registry = new MemoryRegistry();
  const ctx: ClientsContext = { paths: dataPaths(join(dir, 'data')), servers: registry, keychain, launcher: TEST_LAUNCHER };
  let n = 0;
  return {
    dir,
    ctx,
    keychain,
    registry,
    fixture(relative) {
      const target = join(dir, `f${n++}`, relative.split('/').pop()!);
      cpSync(join(FIXTURES, relative), target);
      return target;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs one test in a fresh sandbox and removes it afterwards, also when the test fails. */
export async function withSandbox(fn: (box: Sandbox) => Promise<void>, keychain?: MemoryKeychain): Promise<void> {
  const box = sandbox(keychain);
  try {
    await fn(box);
  } finally {
    box.cleanup();
  }
}
