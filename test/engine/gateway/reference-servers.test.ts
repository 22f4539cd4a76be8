// The other reference servers through Warden: server-filesystem and server-memory behave as direct.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { directClient, servers, startTestEngine, tempDir, type TestEngine } from '../../helpers/engine.js';

describe('server-filesystem and server-memory through Warden', () => {
  const sandbox = tempDir('warden-fs-');
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.filesystem(sandbox.dir), servers.memory()], { decisions: allowAll });
  });
  after(async () => {
    await t.stop();
    sandbox.remove();
  });

  test('filesystem: same tools as direct; a write through Warden lands on disk and reads back', async () => {
    const warden: Client = await t.stdioClient('filesystem');
    const direct = await directClient(servers.filesystem(sandbox.dir));
    try {
      assert.deepEqual((await warden.listTools()).tools, (await direct.listTools()).tools);
      const path = join(sandbox.dir, 'note.txt');
      const wrote = await warden.callTool({ name: 'write_file', arguments: { path, content: 'written through warden' } });
      assert.equal(wrote.isError ?? false, false, JSON.stringify(wrote));
      assert.equal(readFileSync(path, 'utf8'), 'written through warden');
      const args = { name: 'read_text_file', arguments: { path } };
      assert.deepEqual(await warden.callTool(args), await direct.callTool(args));
      const outside = await warden.callTool({ name: 'read_text_file', arguments: { path: '/etc/hostname' } });
      assert.equal(outside.isError, true, 'the server still enforces its own sandbox');
    } finally {
      await direct.close();
    }
  });

  test('memory: entities created through Warden are in the graph', async () => {
    const warden = await t.httpClient('memory');
    const created = await warden.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'Warden', entityType: 'project', observations: ['guards MCP calls'] }] } });
    assert.equal(created.isError ?? false, false, JSON.stringify(created));
    const graph = JSON.stringify(await warden.callTool({ name: 'read_graph', arguments: {} }));
    assert.match(graph, /guards MCP calls/);
  });
});
