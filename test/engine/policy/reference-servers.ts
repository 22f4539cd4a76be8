// Lists a real MCP server's tools through the SDK's Client over stdio (the guardian's tests judge
// what real servers actually publish, not copies of it).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, type Tool } from '../../../src-main/engine/mcp/sdk.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export const referenceServers: Record<string, () => { command: string; args: string[] }> = {
  everything: () => ({ command: process.execPath, args: [join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] }),
  filesystem: () => ({ command: process.execPath, args: [join(root, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'), mkdtempSync(join(tmpdir(), 'warden-fs-'))] }),
  memory: () => ({ command: process.execPath, args: [join(root, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')] }),
};

export const fixtureServer = (specFile: string) => ({ command: process.execPath, args: [join(root, 'test/fixtures/servers/tools-from-file.mjs'), specFile] });

export async function listToolsOverStdio(spec: { command: string; args: string[]; env?: Record<string, string> }): Promise<Tool[]> {
  const client = new Client({ name: 'warden-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ ...spec, stderr: 'ignore', env: { ...(process.env as Record<string, string>), MEMORY_FILE_PATH: join(mkdtempSync(join(tmpdir(), 'warden-mem-')), 'memory.json'), ...spec.env } }));
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}
