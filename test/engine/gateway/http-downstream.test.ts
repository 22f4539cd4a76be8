// A downstream server reached over Streamable HTTP (`warden servers add <name> --url URL`) passes
// through like a stdio one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { packageBin } from '../../../src-main/engine/config/demo.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { startTestEngine, type TestEngine } from '../../helpers/engine.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('a Streamable HTTP downstream server', () => {
  let server: ChildProcess;
  let url: string;
  let t: TestEngine;
  let warden: Client;
  let direct: Client;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/mcp`;
    server = spawn(process.execPath, [packageBin('@modelcontextprotocol/server-everything'), 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server-everything (HTTP) did not start')), 15_000);
      server.stderr!.on('data', (c: Buffer) => {
        if (c.toString().includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    t = await startTestEngine([{ name: 'remote', transport: 'http', url }], { decisions: allowAll });
    warden = await t.httpClient('remote');
    direct = new SdkClient({ name: 'warden-test', version: '1.0.0' });
    await direct.connect(new StreamableHTTPClientTransport(new URL(url)));
  });
  after(async () => {
    await direct?.close();
    await t?.stop();
    server?.kill();
  });

  test('tools, calls and resources are the same as direct', async () => {
    assert.deepEqual((await warden.listTools()).tools, (await direct.listTools()).tools);
    const args = { name: 'get-sum', arguments: { a: 20, b: 22 } };
    assert.deepEqual(await warden.callTool(args), await direct.callTool(args));
    assert.deepEqual(await warden.listResources(), await direct.listResources());
  });

  test('progress notifications come back through both HTTP hops', async () => {
    const seen: number[] = [];
    await warden.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    assert.deepEqual(seen.slice(0, 2), [1, 2]);
  });
});
