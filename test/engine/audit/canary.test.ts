// End to end: a real SDK client calls a real server (server-everything) through Warden with a canary
// string in the arguments. Without payload capture the canary is in no file of the data directory;
// with capture on for that server it is on record, and the secrets next to it are not, anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyAuditDir } from '../../../src-main/engine/audit/verify.js';
import { servers, startTestEngine } from '../../helpers/engine.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesUnder(dir)) {
    if ((await readFile(file)).includes(needle)) hits.push(file);
  }
  return hits;
}

const records = (report: { records: number }) => report.records;

const SECRET = 'ghp_Zq8Wm3Kx7Lp2Nv5Rt9Yb4Hc6Jd1Fg0Se3Au';

for (const capture of [false, true]) {
  test(`a canary in a call's arguments ${capture ? 'is captured with secrets redacted' : 'is in no file of the data directory'} (capture ${capture ? 'on' : 'off'})`, async () => {
    const canary = `CANARY-${capture ? 'ON' : 'OFF'}-${process.pid}-${Date.now()}`;
    const warden = await startTestEngine([servers.everything('everything', { capturePayloads: capture })]);
    try {
      const client = await warden.httpClient('everything', { clientId: 'canary-client', name: 'canary-test' });
      const result = await client.callTool({ name: 'echo', arguments: { message: `${canary} with token ${SECRET}` } });
      assert.ok(!result.isError, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), new RegExp(canary), 'the call really went through to the server');
      await client.close();
      const log = warden.engine.audit as unknown as { query(q: object): Promise<{ records: Array<Record<string, unknown>> }> };
      // The outcome record is written right after the result goes back to the client.
      let page = await log.query({ server: 'everything', tool: 'echo' });
      for (let t = 0; t < 100 && page.records.length < 2; t += 1) {
        await new Promise((r) => setTimeout(r, 20));
        page = await log.query({ server: 'everything', tool: 'echo' });
      }
      const types = page.records.map((r) => r.type).sort();
      assert.deepEqual(types, ['decision', 'outcome'], 'the call is on record: its decision and its outcome');
      const decision = page.records.find((r) => r.type === 'decision')!;
      assert.deepEqual(decision.argNames, ['message']);
      assert.equal((decision.client as { id: string }).id, 'canary-client');
      assert.equal((decision.client as { name: string }).name, 'canary-test');

      await warden.engine.stop(); // every file the engine writes is complete now
      const withCanary = await filesContaining(warden.dir, canary);
      const withSecret = await filesContaining(warden.dir, SECRET);
      assert.deepEqual(withSecret, [], 'the secret is in no file');
      if (!capture) {
        assert.deepEqual(withCanary, [], 'argument values are in no file without capture');
      } else {
        assert.ok(withCanary.length > 0 && withCanary.every((f) => f.startsWith(join(warden.dir, 'audit'))), `captured only in the audit log: ${withCanary.join(', ')}`);
        const records = (await Promise.all((await filesUnder(join(warden.dir, 'audit'))).filter((f) => f.endsWith('.jsonl')).map((f) => readFile(f, 'utf8'))))
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        const captured = records.find((r) => r.type === 'decision' && r.tool === 'echo');
        assert.equal(captured.args.message, `${canary} with token [REDACTED]`);
        const outcome = records.find((r) => r.type === 'outcome' && r.tool === 'echo');
        assert.match(JSON.stringify(outcome.result), new RegExp(`${canary} with token \\[REDACTED\\]`));
      }
      const report = await verifyAuditDir(join(warden.dir, 'audit'));
      assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
      assert.ok(records(report) >= 4, 'engine start, decision, outcome, engine stop');
    } finally {
      await warden.stop();
    }
  });
}
