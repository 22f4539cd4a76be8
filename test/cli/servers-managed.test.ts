// `warden servers list` under a managed policy: the tier IT fixes is the tier shown, marked managed; a
// server IT forbids is shown blocked with the reason; and who manages the machine is named. Without
// an engine (the policy file read by the CLI) and through a running engine (its views).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerStore } from '../../src-main/engine/config/servers.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { servers, startTestEngine, tempDir, WARDEN_BIN } from '../helpers/engine.js';

const POLICY = {
  version: 1,
  managedBy: 'Example Corp IT',
  contact: 'it-help@example.com',
  servers: { knowledge: { tier: 'restricted' } },
  forbid: { servers: ['play*'] },
};

const warden = (dir: string, policyPath: string, args: string[]) =>
  spawnSync(process.execPath, [WARDEN_BIN, ...args], { env: { ...process.env, WARDEN_DATA_DIR: dir, WARDEN_MANAGED_POLICY: policyPath }, encoding: 'utf8', timeout: 30_000 });

function assertListed(out: string) {
  const row = (name: string) => out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  assert.match(row('knowledge'), /restricted \(managed\)/, out);
  assert.match(row('playground'), /\bblocked\b/, out);
  assert.match(row('notes'), /standard\s+idle/, out);
  assert.match(out, /Managed by Example Corp IT \(it-help@example\.com\); these cannot be changed in Warden:/);
  assert.match(out, /knowledge: tier fixed at restricted/);
  assert.match(out, /playground: blocked\. Server `playground` is forbidden by Example Corp IT's managed policy \(its name matches forbid\.servers "play\*"\)/);
  assert.doesNotMatch(out, /notes:/);
}

describe('warden servers list under managed policy', () => {
  let policyDir: { dir: string; remove(): void };
  let policyPath: string;
  before(() => {
    policyDir = tempDir('warden-cli-managed-');
    policyPath = join(policyDir.dir, 'managed-policy.json');
    writeFileSync(policyPath, JSON.stringify(POLICY));
  });
  after(() => policyDir.remove());

  test('without an engine: the file read now', () => {
    const data = tempDir();
    try {
      // Configured before IT placed the policy.
      const store = new ServerStore(dataPaths(data.dir));
      for (const s of [servers.memory('knowledge'), servers.memory('playground'), servers.memory('notes')]) store.add(s);
      const r = warden(data.dir, policyPath, ['servers', 'list']);
      assert.equal(r.status, 0, r.stderr);
      assertListed(r.stdout);
      const json = JSON.parse(warden(data.dir, policyPath, ['servers', 'list', '--json']).stdout) as { config: { name: string; tier: string }; managed?: { tier?: string; forbidden?: string; managedBy: string } }[];
      const knowledge = json.find((v) => v.config.name === 'knowledge')!;
      assert.equal(knowledge.config.tier, 'restricted');
      assert.deepEqual(knowledge.managed, { managedBy: 'Example Corp IT', contact: 'it-help@example.com', tier: 'restricted' });
      // And the CLI refuses to change it, saying why.
      const set = warden(data.dir, policyPath, ['servers', 'tier', 'knowledge', 'trusted']);
      assert.notEqual(set.status, 0);
      assert.match(set.stderr, /fixed at restricted.*Example Corp IT/s);
    } finally {
      data.remove();
    }
  });

  test('through a running engine: its views', async () => {
    // The servers are configured first; then IT places the policy while the engine runs.
    const livePath = join(policyDir.dir, 'live-policy.json');
    const t = await startTestEngine([servers.memory('knowledge'), servers.memory('playground'), servers.memory('notes')], { managedPolicy: { path: livePath, pollMs: 50 } });
    try {
      writeFileSync(livePath, JSON.stringify(POLICY));
      for (let i = 0; i < 400 && t.engine.managed.state().state !== 'active'; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(t.engine.managed.state().state, 'active');
      // The CLI's own WARDEN_MANAGED_POLICY points nowhere: what it prints comes from the engine.
      // Not spawnSync: the engine runs in this process and must answer meanwhile.
      const r = await promisify(execFile)(process.execPath, [WARDEN_BIN, 'servers', 'list'], {
        env: { ...process.env, WARDEN_DATA_DIR: t.dir, WARDEN_MANAGED_POLICY: join(policyDir.dir, 'absent.json') },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assertListed(r.stdout);
    } finally {
      await t.stop();
    }
  });

  test('a broken policy file: the tiers show as locked, not fixed by IT, and the problem is said once', () => {
    const data = tempDir();
    const brokenPath = join(policyDir.dir, 'broken-policy.json');
    writeFileSync(brokenPath, '{bad');
    try {
      const store = new ServerStore(dataPaths(data.dir));
      for (const s of [servers.memory('knowledge'), servers.memory('notes')]) store.add(s);
      const r = warden(data.dir, brokenPath, ['servers', 'list']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^knowledge +standard \(locked\)/m);
      assert.doesNotMatch(r.stdout, /\(managed\)|tier fixed at/, 'a broken file fixes no tier');
      assert.equal(r.stdout.match(/broken-policy\.json is not valid/g)?.length, 1, r.stdout);
      assert.match(r.stdout, /every call is denied and nothing managed policy could control can be changed/);
    } finally {
      data.remove();
    }
  });
});
