// Payload capture is opt-in per server, changed through the API (the Servers screen's toggle), and
// managed policy can forbid turning it on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { servers, startTestEngine, tempDir } from '../../helpers/engine.js';

test('a server can be opted in and out of payload capture', async () => {
  const t = await startTestEngine([servers.everything()]);
  try {
    const on = await t.engine.api('servers.setCapture', { name: 'everything', capturePayloads: true });
    assert.equal(on.ok, true, JSON.stringify(on));
    assert.equal(t.engine.servers.get('everything')?.capturePayloads, true);
    const off = await t.engine.api('servers.setCapture', { name: 'everything', capturePayloads: false });
    assert.equal(off.ok, true);
    assert.equal(t.engine.servers.get('everything')?.capturePayloads, false);
    const unknown = await t.engine.api('servers.setCapture', { name: 'nosuch', capturePayloads: true });
    assert.equal(unknown.ok, false);
  } finally {
    await t.stop();
  }
});

test('managed policy that requires capture off refuses turning it on', async () => {
  const policyDir = tempDir();
  const path = join(policyDir.dir, 'managed-policy.json');
  writeFileSync(path, JSON.stringify({ version: 1, settings: { allowPayloadCapture: false } }));
  const t = await startTestEngine([servers.everything()], { managedPolicy: { path } });
  try {
    const refused = await t.engine.api('servers.setCapture', { name: 'everything', capturePayloads: true });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, 'locked');
    assert.notEqual(t.engine.servers.get('everything')?.capturePayloads, true);
    assert.equal((await t.engine.api('servers.setCapture', { name: 'everything', capturePayloads: false })).ok, true);
  } finally {
    await t.stop();
    policyDir.remove();
  }
});
