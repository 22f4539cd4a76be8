// policy.json edited by hand while the engine runs: the engine decides by the file as edited (a broken
// file denies every call until it is fixed), puts the edit on record, and its own later changes keep
// the edit instead of writing over it. A change racing an edit is refused, and the edit wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditReader } from '../../../src-main/engine/audit/index.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { createGuardian } from '../../../src-main/engine/policy/guardian.js';
import { PolicyStore } from '../../../src-main/engine/policy/store.js';
import { servers, startTestEngine } from '../../helpers/engine.js';

type PolicyJson = { rules: { id: string; tool: string }[]; overrides: { server: string; tool: string; effect: string }[] };
const text = (result: Record<string, unknown>) => ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a hand edit of policy.json while the engine runs takes effect, is on record, and survives the engine\'s next change', { timeout: 90_000 }, async () => {
  const t = await startTestEngine([servers.memory('mem', { tier: 'trusted' })]);
  try {
    const policyPath = dataPaths(t.dir).policy;
    const client = await t.httpClient('mem');
    assert.equal((await client.callTool({ name: 'read_graph', arguments: {} })).isError ?? false, false, 'allowed before the edit');
    const added = await t.engine.api('rules.add', { server: 'mem', tool: 'create_entities', effect: 'allow' });
    assert.equal(added.ok, true, JSON.stringify(added));

    // The person edits the file in place, as an editor does: a deny for read_graph.
    const edited = JSON.parse(readFileSync(policyPath, 'utf8')) as PolicyJson;
    edited.overrides.push({ server: 'mem', tool: 'read_graph', effect: 'deny' });
    writeFileSync(policyPath, JSON.stringify(edited, null, 2));
    const check = () => t.engine.api('policy.check', { server: 'mem', tool: 'read_graph', args: {} }) as Promise<{ ok: boolean; result?: { effect: string } }>;
    await until('read_graph after the edit', check, (r) => r.result?.effect === 'deny');
    const refused = await client.callTool({ name: 'read_graph', arguments: {} });
    assert.equal(refused.isError, true, 'the client gets the refusal the edit asked for');
    assert.match(text(refused), /denied|refused/i);

    // A change through Warden now keeps both the edit and the earlier rule.
    const second = await t.engine.api('rules.add', { server: 'mem', tool: 'delete_entities', effect: 'deny' });
    assert.equal(second.ok, true, JSON.stringify(second));
    const after = JSON.parse(readFileSync(policyPath, 'utf8')) as PolicyJson;
    assert.deepEqual(after.overrides, [{ server: 'mem', tool: 'read_graph', effect: 'deny', hidden: false }]);
    assert.deepEqual(after.rules.map((r) => r.tool), ['create_entities', 'delete_entities']);

    // A broken file denies every call, naming the file; fixed, calls go through again.
    writeFileSync(policyPath, '{"version": 1, "rules": [');
    await until('a call with a broken policy.json', () => client.callTool({ name: 'search_nodes', arguments: { query: 'x' } }), (r) => r.isError === true);
    const broken = await client.callTool({ name: 'search_nodes', arguments: { query: 'x' } });
    assert.match(text(broken), new RegExp(`${policyPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be read`));
    const rejected = await t.engine.api('rules.add', { server: 'mem', tool: 'open_nodes', effect: 'allow' });
    assert.equal(rejected.ok, false, 'no change is written over a file Warden cannot read');
    assert.equal(readFileSync(policyPath, 'utf8'), '{"version": 1, "rules": [', 'the broken file is left as the person left it');
    writeFileSync(policyPath, JSON.stringify(after, null, 2));
    await until('a call once the file is fixed', () => client.callTool({ name: 'search_nodes', arguments: { query: 'x' } }), (r) => r.isError !== true);

    const events = (await openAuditReader(dataPaths(t.dir)).query({ order: 'oldest', limit: 500 })).records as unknown as { type: string; event?: string; data?: { problem?: string } }[];
    const edits = events.filter((r) => r.type === 'event' && r.event === 'policy.changed_on_disk');
    assert.equal(edits.length, 3, 'the edit, the breakage and the fix are each on record');
    assert.match(edits[1]!.data?.problem ?? '', /cannot be read/);
  } finally {
    await t.stop();
  }
});

test('a change made through Warden while the file was just edited is refused, and the edit wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-hand-edit-'));
  const store = new PolicyStore(dataPaths(dir));
  const g = createGuardian({ store, tierOf: () => 'standard', approvals: { timeoutSeconds: 30, progressSeconds: 1, elicitation: false } });
  try {
    g.addRule({ server: 'fs', tool: 'read_file', effect: 'allow' });
    store.watchForChanges();
    g.listRules(); // takes the watch's first "maybe changed"
    const edited = JSON.parse(readFileSync(store.path, 'utf8')) as PolicyJson;
    edited.rules = [];
    edited.overrides.push({ server: 'fs', tool: 'write_file', effect: 'deny' });
    writeFileSync(store.path, JSON.stringify(edited));
    // In the same turn: the OS has not reported the write yet, so only the check before writing sees it.
    assert.throws(() => g.addRule({ server: 'fs', tool: 'list_directory', effect: 'allow' }), (e: Error & { code?: string }) => e.code === 'config_changed' && /changed outside Warden just now/.test(e.message));
    assert.deepEqual(JSON.parse(readFileSync(store.path, 'utf8')), edited, 'the edit is kept, byte for byte as JSON');
    assert.deepEqual(g.listRules(), [], 'the guardian follows the edited file');
    assert.equal(g.check('fs', 'write_file').effect, 'deny');
  } finally {
    store.stopWatching();
    g.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
