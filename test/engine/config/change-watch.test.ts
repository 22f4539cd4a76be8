// The change notices that let the engine skip a stat of servers.json / tokens.json per call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeWatch } from '../../../src-main/engine/config/change-watch.js';

const settle = () => new Promise((r) => setTimeout(r, 100));

test('an atomic rewrite of the file (temp file + rename) is noticed, and quiet afterwards', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-watch-'));
  try {
    const file = join(dir, 'servers.json');
    await writeFile(file, '{}');
    const watch = new ChangeWatch(file);
    watch.start();
    assert.equal(watch.mayHaveChanged(), true, 'the first question after start always says maybe');
    await settle();
    assert.equal(watch.mayHaveChanged(), false);
    await writeFile(`${file}.tmp`, '{"servers":{}}');
    await rename(`${file}.tmp`, file);
    await settle();
    assert.equal(watch.mayHaveChanged(), true);
    assert.equal(watch.mayHaveChanged(), false, 'the notice is used up');
    await writeFile(join(dir, 'other.json'), '{}');
    await settle();
    assert.equal(watch.mayHaveChanged(), false, 'other files in the folder do not count');
    watch.stop();
    assert.equal(watch.mayHaveChanged(), true, 'without a watch: always maybe');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file that is a symbolic link is not watched (its folder hears nothing of the target): always maybe', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-watch-'));
  try {
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'tokens.json'), '{}');
    await mkdir(join(dir, 'data'));
    const file = join(dir, 'data', 'tokens.json');
    await symlink(join(dir, 'real', 'tokens.json'), file);
    const watch = new ChangeWatch(file);
    watch.start();
    await settle();
    assert.equal(watch.mayHaveChanged(), true);
    assert.equal(watch.mayHaveChanged(), true);
    watch.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
