// Test helpers: an engine in a fresh data directory, real servers from npm, real SDK clients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ApprovalView } from '../../shared/policy.js';
import type { ServerConfigInput } from '../../shared/servers.js';
import { packageBin } from '../../src-main/engine/config/demo.js';
import { startEngine, type Engine, type EngineOptions } from '../../src-main/engine/engine.js';
import { TokenStore } from '../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../src-main/engine/paths.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WARDEN_BIN = join(ROOT, 'bin', 'warden.js');
export const FIXTURE_SERVERS = join(ROOT, 'test', 'fixtures', 'servers');

export function tempDir(prefix = 'warden-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const servers = {
  everything: (name = 'everything', extra: Partial<ServerConfigInput> = {}): ServerConfigInput =>
    ({ name, transport: 'stdio', command: process.execPath, args: [packageBin('@modelcontextprotocol/server-everything'), 'stdio'], ...extra }) as ServerConfigInput,
  filesystem: (root: string, name = 'filesystem', extra: Partial<ServerConfigInput> = {}): ServerConfigInput =>
    ({ name, transport: 'stdio', command: process.execPath, args: [packageBin('@modelcontextprotocol/server-filesystem'), root], ...extra }) as ServerConfigInput,
  /** Its graph goes to a temp file, not next to the package in node_modules. */
  memory: (name = 'memory', extra: Partial<ServerConfigInput> = {}): ServerConfigInput =>
    ({
      name,
      transport: 'stdio',
      command: process.execPath,
      args: [packageBin('@modelcontextprotocol/server-memory')],
      env: { MEMORY_FILE_PATH: join(tmpdir(), `warden-memory-${process.pid}-${name}.jsonl`) },
      ...extra,
    }) as ServerConfigInput,
  /** A purpose-built server from test/fixtures/servers (faults: crash, hang, changing tools...). */
  fixture: (file: string, name: string, args: string[] = [], extra: Partial<ServerConfigInput> = {}): ServerConfigInput =>
    ({ name, transport: 'stdio', command: process.execPath, args: [join(FIXTURE_SERVERS, file), ...args], ...extra }) as ServerConfigInput,
};

export interface TestEngine {
  engine: Engine;
  dir: string;
  url: string;
  /** A real SDK client connected over Streamable HTTP with a client token. */
  httpClient(server: string, opts?: ClientOpts): Promise<Client>;
  /** A real SDK client that launches `warden connect <server>` over stdio. */
  stdioClient(server: string, opts?: ClientOpts): Promise<Client>;
  stop(): Promise<void>;
}

export interface ClientOpts {
  clientId?: string;
  capabilities?: ConstructorParameters<typeof Client>[1];
  name?: string;
}

export async function startTestEngine(
  configured: ServerConfigInput[] = [],
  options: Partial<EngineOptions> = {},
): Promise<TestEngine> {
  const temp = tempDir();
  // Spares are off unless a test asks: they double the server processes a suite starts.
  const engine = await startEngine({ dataDir: temp.dir, port: 0, warmSpares: false, ...options });
  for (const server of configured) engine.servers.add(server);
  const clients: Client[] = [];
  const make = (opts: ClientOpts = {}) => new Client({ name: opts.name ?? 'warden-test', version: '1.0.0' }, opts.capabilities ?? { capabilities: {} });
  return {
    engine,
    dir: temp.dir,
    url: engine.url,
    async httpClient(server, opts = {}) {
      const token = new TokenStore(dataPaths(temp.dir)).clientToken(opts.clientId ?? 'test-client');
      const client = make(opts);
      await client.connect(new StreamableHTTPClientTransport(new URL(`${engine.url}/mcp/${server}`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      clients.push(client);
      return client;
    },
    async stdioClient(server, opts = {}) {
      const client = make(opts);
      const args = [WARDEN_BIN, 'connect', server, ...(opts.clientId ? ['--client', opts.clientId] : [])];
      await client.connect(new StdioClientTransport({ command: process.execPath, args, env: { ...process.env, WARDEN_DATA_DIR: temp.dir } as Record<string, string>, stderr: 'pipe' }));
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await engine.stop();
      temp.remove();
    },
  };
}

/** A real SDK client straight to the server, for comparing results with and without Warden. */
export async function directClient(config: ServerConfigInput, capabilities: ConstructorParameters<typeof Client>[1] = { capabilities: {} }): Promise<Client> {
  if (config.transport !== 'stdio') throw new Error('directClient: stdio only');
  const client = new Client({ name: 'warden-test', version: '1.0.0' }, capabilities);
  await client.connect(new StdioClientTransport({ command: config.command, args: config.args ?? [], stderr: 'pipe' }));
  return client;
}

/** Waits until the engine's guardian holds `count` approvals (in-process: a CLI start costs far more). */
export async function waitForApprovals(t: TestEngine, count = 1): Promise<ApprovalView[]> {
  for (let i = 0; i < 400; i++) {
    const list = t.engine.guardian!.listPending();
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no approval appeared');
}
