// Changes made while no engine ran (the CLI writes the files itself then) are put on record when the
// next engine starts: which servers were added, removed or changed, and whether the policy or the
// settings changed. The engine's own changes are not reported again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { ServerStore } from '../../../src-main/engine/config/servers.js';
import { startEngine } from '../../../src-main/engine/engine.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { allowAll } from '../../../src-main/engine/pipeline.js';
import { servers, tempDir, WARDEN_BIN } from '../../helpers/engine.js';

type EventRecord = { type: string; event?: string; data?: Record<string, unknown> };
const outside = async (dir: string) =>
  ((await openAuditReader(dataPaths(dir)).query({ order: 'oldest', limit: 500 })).records as unknown as EventRecord[]).filter((r) => r.type === 'event' && r.event === 'config.changed_outside');

test('what changed while no engine ran is on record at the next start; the engine\'s own changes are not', { timeout: 60_000 }, async () => {
  const temp = tempDir();
  try {
    const paths = dataPaths(temp.dir);
    const store = new ServerStore(paths, { permit: () => undefined });
    store.add(servers.fixture('stubborn.mjs', 'kept'));
    store.add(servers.fixture('stubborn.mjs', 'dropped'));
    store.add(servers.fixture('stubborn.mjs', 'retiered'));
    let engine = await startEngine({ dataDir: temp.dir, port: 0, warmSpares: false });
    // A change through the engine: on record as itself, never as an outside change later.
    const added = await engine.api('servers.add', servers.fixture('stubborn.mjs', 'via-engine'));
    assert.equal(added.ok, true, JSON.stringify(added));
    await engine.stop();
    assert.deepEqual(await outside(temp.dir), [], 'the first start has nothing to compare with');

    // With no engine running, the CLI writes the files itself.
    const cli = (...args: string[]) => spawnSync(process.execPath, [WARDEN_BIN, ...args], { env: { ...process.env, WARDEN_DATA_DIR: temp.dir }, encoding: 'utf8', timeout: 30_000 });
    assert.equal(cli('servers', 'remove', 'dropped').status, 0);
    assert.equal(cli('servers', 'tier', 'retiered', 'trusted').status, 0);
    assert.equal(cli('servers', 'add', 'newcomer', '--', process.execPath, '-e', '0').status, 0);
    assert.equal(cli('policy', 'rule', 'add', 'allow', 'kept', 'slow').status, 0);

    engine = await startEngine({ dataDir: temp.dir, port: 0, warmSpares: false, decisions: allowAll });
    await engine.stop();
    const [record, ...more] = await outside(temp.dir);
    assert.equal(more.length, 0, 'reported once');
    assert.deepEqual(
      { added: record!.data!.serversAdded, removed: record!.data!.serversRemoved, changed: record!.data!.serversChanged, policy: record!.data!.policy, settings: record!.data!.settings },
      { added: ['newcomer'], removed: ['dropped'], changed: ['retiered'], policy: true, settings: false },
    );

    engine = await startEngine({ dataDir: temp.dir, port: 0, warmSpares: false });
    await engine.stop();
    assert.equal((await outside(temp.dir)).length, 1, 'nothing new to report after a start and stop with no change');
  } finally {
    temp.remove();
  }
});
