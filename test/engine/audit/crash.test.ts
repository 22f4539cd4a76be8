// kill -9 during a burst of appends: no acknowledged record is lost, the log stays readable and
// verifiable, and the next open repairs whatever tail the kill left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuditLog } from '../../../src-main/engine/audit/index.js';
import { verifyAuditDir } from '../../../src-main/engine/audit/verify.js';
import { freshPaths } from './kit.js';

const CHILD = fileURLToPath(new URL('./fixtures/append-burst.ts', import.meta.url));

async function burstAndKill(dataDir: string, killAfterAcks: number, prefix: string): Promise<Set<string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Set<string>();
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, sig) => (sig === 'SIGKILL' ? resolve() : reject(new Error(`child exited on its own (${code})`))));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('ack ')) acked.add(line.slice(4));
      }
      if (acked.size >= killAfterAcks && !child.killed) child.kill('SIGKILL');
    });
  });
  return acked;
}

test('kill -9 mid-burst loses no acknowledged record; the reopened log verifies and carries on', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const acked = new Set<string>();
    for (const round of [1500, 2500]) {
      for (const id of await burstAndKill(paths.dir, round, `r${round}-`)) acked.add(id);
      const log = await openAuditLog(paths);
      const repair = log.repair;
      await log.event('engine.started', { round });
      await log.close();
      const records: Array<{ type: string; callId?: string; event?: string }> = [];
      for (const name of (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl')).sort()) {
        for (const line of (await readFile(join(paths.audit, name), 'utf8')).split('\n')) if (line) records.push(JSON.parse(line));
      }
      if (repair) assert.ok(records.some((r) => r.event === 'audit.repaired'), 'a repair is on record');
      const ids = records.filter((r) => r.type === 'decision').map((r) => r.callId!);
      const present = new Set(ids);
      const roundAcks = [...acked].filter((a) => a.startsWith(`r${round}-`));
      assert.ok(roundAcks.length >= round, `the child acknowledged ${roundAcks.length} records`);
      const lost = roundAcks.filter((id) => !present.has(id));
      assert.deepEqual(lost, [], 'every acknowledged record is in the log');
      const report = await verifyAuditDir(paths.audit);
      assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
      assert.deepEqual(report.notes, [], 'no torn tail is left after reopening');
    }
  } finally {
    await cleanup();
  }
});
