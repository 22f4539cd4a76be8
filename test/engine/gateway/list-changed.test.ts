// When policy changes what a client may see (a tier, an override), the client is told to list the tools
// again, as the server itself would (server-everything declares tools.listChanged).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { servers, startTestEngine, type TestEngine } from '../../helpers/engine.js';

describe('tools/list_changed after a policy change', () => {
  let t: TestEngine;
  before(async () => {
    t = await startTestEngine([servers.everything('everything', { tier: 'trusted' })]);
  });
  after(() => t.stop());

  test('blocking the server: the client is told, and the next listing hides its tools', async () => {
    const client = await t.httpClient('everything');
    assert.ok((await client.listTools()).tools.length > 0);
    let told = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void told++);
    const result = await t.engine.api('policy.setTier', { server: 'everything', tier: 'blocked' });
    assert.equal(result.ok, true, JSON.stringify(result));
    for (let i = 0; i < 100 && told === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(told > 0, 'notifications/tools/list_changed arrived');
    assert.deepEqual((await client.listTools()).tools, []);
  });
});
