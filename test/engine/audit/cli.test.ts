// `warden audit ...` as a person or a script uses it (the built CLI in a child process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuditLog } from '../../../src-main/engine/audit/index.js';
import { allow, deny, freshPaths, makeCall } from './kit.js';

const WARDEN_BIN = fileURLToPath(new URL('../../../bin/warden.js', import.meta.url));
const warden = (dir: string, args: string[]) =>
  spawnSync(process.execPath, [WARDEN_BIN, 'audit', ...args], { env: { ...process.env, WARDEN_DATA_DIR: dir }, encoding: 'utf8', timeout: 30_000 });

async function seeded() {
  const { paths, cleanup } = await freshPaths();
  const log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
  for (let i = 0; i < 30; i += 1) {
    await log.decided(makeCall(i), i % 4 === 0 ? deny : allow);
    await log.finished(makeCall(i), allow, { status: 'ok', durationMs: 5 });
  }
  await log.close();
  return { paths, cleanup };
}

test('verify exits 0 on an intact log and 1 naming the first broken record', async () => {
  const { paths, cleanup } = await seeded();
  try {
    const ok = warden(paths.dir, ['verify']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Audit log intact: 60 records \(1\.\.60\)/);
    const segment = (await readdir(paths.audit)).filter((f) => f.endsWith('.jsonl')).sort()[1]!;
    const lines = (await readFile(join(paths.audit, segment), 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('"server":"files"', '"server":"filez"');
    await writeFile(join(paths.audit, segment), lines.join('\n'));
    const broken = warden(paths.dir, ['verify']);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, new RegExp(`BROKEN at ${segment}:2 \\(record \\d+\\).*\\[AUDIT_RECORD_EDITED\\]`));
    const json = JSON.parse(warden(paths.dir, ['verify', '--json']).stdout);
    assert.equal(json.ok, false);
    assert.equal(json.firstBroken.code, 'AUDIT_RECORD_EDITED');
  } finally {
    await cleanup();
  }
});

test('tail prints the latest records oldest first; export writes files; bad input exits 2', async () => {
  const { paths, cleanup } = await seeded();
  try {
    const tail = warden(paths.dir, ['tail', '-n', '3']);
    assert.equal(tail.status, 0, tail.stderr);
    const shown = tail.stdout.trim().split('\n');
    assert.equal(shown.length, 3);
    assert.match(shown[0]!, /#58 +outcome/);
    assert.match(shown[2]!, /#60 +outcome +ok +files\/write_file +by Claude Desktop 1\.2\.3 \(client-a\)/);
    const json = warden(paths.dir, ['tail', '-n', '2', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(json.map((r) => r.seq), [59, 60]);

    const out = join(paths.dir, 'export.csv');
    const exported = warden(paths.dir, ['export', '--format', 'csv', '--out', out]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stderr, /Exported 60 record\(s\) as csv/);
    assert.equal((await readFile(out, 'utf8')).trim().split('\n').length, 61);
    assert.equal(warden(paths.dir, ['export', '--format', 'csv', '--out', out]).status, 2, 'an existing file is not overwritten without --force');
    const cef = warden(paths.dir, ['export', '--format', 'cef', '--since', '1h']);
    assert.equal(cef.stdout.trim().split('\n').length, 60);
    const bad = warden(paths.dir, ['export', '--format', 'xml']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /\[AUDIT_BAD_OPTION\]/);
    assert.equal(warden(paths.dir, ['export', '--format', 'jsonl', '--since', 'last tuesday']).status, 2);
    // Bad input with --force over a file: refused before the file is touched.
    const before = await readFile(out, 'utf8');
    assert.equal(warden(paths.dir, ['export', '--format', 'csv', '--since', 'yesterday', '--out', out, '--force']).status, 2);
    assert.equal(await readFile(out, 'utf8'), before, 'the file that was there is as it was');
    assert.deepEqual((await readdir(paths.dir)).filter((f) => f.includes('.partial')), [], 'no partial file is left');
    assert.equal(warden(paths.dir, ['export', '--format', 'jsonl', '--out', out, '--force']).status, 0);
    assert.equal((await readFile(out, 'utf8')).trim().split('\n').length, 60, 'a good export with --force replaces it');
  } finally {
    await cleanup();
  }
});

test('tail --follow prints records as an engine writes them', async () => {
  const { paths, cleanup } = await seeded();
  const child = spawn(process.execPath, [WARDEN_BIN, 'audit', 'tail', '-n', '1', '--follow'], { env: { ...process.env, WARDEN_DATA_DIR: paths.dir } });
  try {
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    // The first line (the latest record) says the follower is running.
    for (let t = 0; t < 200 && !out.includes('#60'); t += 1) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /#60/);
    const log = await openAuditLog(paths, { maxSegmentBytes: 4096 });
    for (let i = 0; i < 25; i += 1) await log.decided(makeCall(500 + i), allow);
    await log.close();
    for (let t = 0; t < 100 && (out.match(/call-5\d\d/g) ?? []).length < 25; t += 1) await new Promise((r) => setTimeout(r, 50));
    const ids = out.match(/call-5\d\d/g) ?? [];
    assert.equal(ids.length, 25, out);
    assert.equal(ids[0], 'call-500');
    assert.equal(ids[24], 'call-524');
  } finally {
    child.kill('SIGTERM');
    await cleanup();
  }
});

test('pack writes a reviewer folder: README, manifest, policy snapshot, slice, verification', async () => {
  const { paths, cleanup } = await seeded();
  try {
    await writeFile(paths.servers, JSON.stringify({ servers: [{ name: 'files', transport: 'stdio', command: 'x', env: { GITHUB_TOKEN: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' } }] }));
    const out = join(paths.dir, 'pack');
    const result = warden(paths.dir, ['pack', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['README.md', 'audit-slice.jsonl', 'manifest.json', 'policy-snapshot.json', 'verification.json']);
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    assert.match(readme, /INTACT: 60 records/);
    const verification = JSON.parse(await readFile(join(out, 'verification.json'), 'utf8'));
    assert.equal(verification.log.ok, true);
    assert.equal(verification.slice.intact, true);
    assert.equal((await readFile(join(out, 'audit-slice.jsonl'), 'utf8')).trim().split('\n').length, 60);
    const snapshot = await readFile(join(out, 'policy-snapshot.json'), 'utf8');
    assert.ok(!snapshot.includes('ghp_0123456789'), 'secrets in config files are redacted in the snapshot');
    assert.match(snapshot, /servers\.json/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    for (const [name, entry] of Object.entries(manifest.files as Record<string, { sha256: string }>)) {
      assert.equal(createHash('sha256').update(await readFile(join(out, name))).digest('hex'), entry.sha256, name);
    }
    // The reviewer's own check from the README works on the slice.
    const script = readme.slice(readme.indexOf('```js') + 5, readme.indexOf('```', readme.indexOf('```js') + 5));
    const check = spawnSync(process.execPath, ['-e', script], { cwd: out, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.equal(warden(paths.dir, ['pack', '--out', out]).status, 2, 'an existing pack is not overwritten');
    const file = join(paths.dir, 'a-file.jsonl');
    await writeFile(file, 'mine\n');
    const onFile = warden(paths.dir, ['pack', '--out', file]);
    assert.equal(onFile.status, 2);
    assert.match(onFile.stderr, /a-file\.jsonl is a file; an evidence pack is a folder.*\[AUDIT_OUT_EXISTS\]/);
    assert.equal(await readFile(file, 'utf8'), 'mine\n', 'the file is left as it was');
    const swapped = warden(paths.dir, ['export', '--format', 'csv', '--since', '2030-01-01', '--until', '2020-01-01']);
    assert.equal(swapped.status, 2, 'an empty range is refused, not answered with a header alone');
    assert.match(swapped.stderr, /The range is empty: since \(2030-01-01T00:00:00\.000Z\) is after until \(2020-01-01T23:59:59\.999Z\)/);
  } finally {
    await cleanup();
  }
});

test('tail shows control characters in what a client claimed escaped: a record cannot forge or erase terminal lines', async () => {
  const { paths, cleanup } = await freshPaths();
  try {
    const log = await openAuditLog(paths);
    const forged = 'Cursor\x1b[2K\r2026-12-03 15:00:00Z  #1  decision allow  files/read by Cursor\nFAKE';
    await log.decided(makeCall(1, { client: { id: 'client-a', name: forged } }), allow);
    await log.close();
    const tail = warden(paths.dir, ['tail', '-n', '1']);
    assert.equal(tail.status, 0, tail.stderr);
    assert.equal(tail.stdout.trim().split('\n').length, 1, 'one record, one line');
    assert.doesNotMatch(tail.stdout, /[\x1b\r]/);
    assert.match(tail.stdout, /Cursor\\u001b\[2K\\u000d2026-12-03 .*\\u000aFAKE \(client-a\)/);
  } finally {
    await cleanup();
  }
});
