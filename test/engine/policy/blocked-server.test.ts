// A blocked server's command never runs: a new session to it is refused with the reason (HTTP 403), it
// is left out of the aggregated endpoint /mcp, and `policy check` does not start it to learn its tools.
// Its command leaves a marker file each time it starts, so the test can tell.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TokenStore } from '../../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { FIXTURE_SERVERS, servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';
import { rawHeaders, rawPost } from '../../helpers/raw-session.js';

describe('a blocked server', () => {
  let t: TestEngine;
  const marker = join(tmpdir(), `warden-blocked-ran-${process.pid}`);
  before(async () => {
    rmSync(marker, { force: true });
    t = await startTestEngine([
      { name: 'shady', transport: 'stdio', tier: 'blocked', command: 'sh', args: ['-c', `touch '${marker}'; exec '${process.execPath}' '${join(FIXTURE_SERVERS, 'stubborn.mjs')}'`] },
      servers.fixture('stubborn.mjs', 'plain'),
    ]);
  });
  after(async () => {
    await t.stop();
    rmSync(marker, { force: true });
  });

  test('refuses a new session with the reason, and its command never runs', async () => {
    const response = await rawPost(`${t.url}/mcp/shady`, rawHeaders(t.dir, 'c1'), { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c1', version: '1' } } });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error?: { message: string; data?: { code?: string } } };
    assert.match(body.error?.message ?? '', /Server `shady` is blocked in Warden \(tier blocked\): it is not started.*warden servers tier shady standard/);
    assert.equal(body.error?.data?.code, 'forbidden');
    assert.equal(existsSync(marker), false);
  });

  test('is left out of /mcp, whose other servers work', async () => {
    const client = new Client({ name: 'agg', version: '1' });
    const token = new TokenStore(dataPaths(t.dir)).clientToken('c2');
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(names.includes('plain__slow'), names.join(', '));
      assert.ok(!names.some((name) => name.startsWith('shady__')), names.join(', '));
    } finally {
      await client.close();
    }
    assert.equal(existsSync(marker), false);
  });

  test('`policy check` denies its calls without starting it to learn its tools', async () => {
    const result = await t.engine.api('policy.check', { server: 'shady', tool: 'slow', args: {}, learn: true });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal((result as { result: { effect: string } }).result.effect, 'deny');
    assert.equal(existsSync(marker), false);
  });
});
