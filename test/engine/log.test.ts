import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileLogger } from '../../src-main/engine/log.js';
import { tempDir } from '../helpers/engine.js';

test('the engine log is JSON lines, rotated by size, keeping a bounded number of files', () => {
  const temp = tempDir();
  try {
    const logger = createFileLogger(temp.dir, { maxBytes: 2000, keep: 2 });
    for (let i = 0; i < 100; i++) logger.info('call.finished', { server: 'everything', n: i });
    const files = readdirSync(temp.dir).sort();
    assert.deepEqual(files, ['engine.log', 'engine.log.1', 'engine.log.2']);
    for (const file of files) {
      const lines = readFileSync(join(temp.dir, file), 'utf8').trim().split('\n');
      for (const line of lines) assert.equal(JSON.parse(line).event, 'call.finished');
      assert.ok(readFileSync(join(temp.dir, file)).length <= 2000);
    }
    const newest = readFileSync(join(temp.dir, 'engine.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).n as number);
    assert.equal(newest.at(-1), 99, 'the newest line is in engine.log');
  } finally {
    temp.remove();
  }
});
