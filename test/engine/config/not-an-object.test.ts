// servers.json, settings.json and policy.json each hold one JSON object. A file that is JSON but no
// object (a string, null, an array), or a servers.json that is some other program's file, is refused
// with the file's name, and nothing writes over it: conf alone would read it as empty and replace it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ServerStore } from '../../../src-main/engine/config/servers.js';
import { SettingsStore } from '../../../src-main/engine/config/settings.js';
import { PolicyStore } from '../../../src-main/engine/policy/store.js';
import { WardenError } from '../../../src-main/engine/errors.js';
import { dataPaths } from '../../../src-main/engine/paths.js';
import { tempDir, WARDEN_BIN } from '../../helpers/engine.js';

const NOT_OBJECTS: Array<[string, RegExp]> = [
  ['"hello"', /it holds a string, not a JSON object/],
  ['null', /it holds null, not a JSON object/],
  ['[]', /it holds an array, not a JSON object/],
];

const refused = (pattern: RegExp) => (error: unknown) => error instanceof WardenError && error.code === 'config_invalid' && pattern.test(error.message);

for (const [content, says] of NOT_OBJECTS) {
  test(`a data file holding ${content} is refused, named, and left as it was`, () => {
    const temp = tempDir();
    try {
      const paths = dataPaths(temp.dir);
      for (const file of [paths.servers, paths.settings, paths.policy]) writeFileSync(file, `${content}\n`);
      const servers = new ServerStore(paths, { permit: () => undefined });
      assert.throws(() => servers.list(), refused(says));
      assert.throws(() => servers.add({ name: 'q', transport: 'stdio', command: 'echo' }), refused(says));
      const settings = new SettingsStore(paths);
      assert.throws(() => settings.get(), (e) => e instanceof WardenError && e.code === 'config_invalid' && e.message.includes(paths.settings));
      assert.throws(() => settings.set({ theme: 'dark' }), (e) => e instanceof WardenError && e.code === 'config_invalid');
      assert.throws(() => new PolicyStore(paths).load(), refused(says));
      for (const file of [paths.servers, paths.settings, paths.policy]) assert.equal(readFileSync(file, 'utf8'), `${content}\n`, `${file} unchanged`);
    } finally {
      temp.remove();
    }
  });
}

test("a servers.json that is another program's file (a client's mcpServers) is not taken for \"nothing configured\"", () => {
  const temp = tempDir();
  try {
    const paths = dataPaths(temp.dir);
    const theirs = JSON.stringify({ mcpServers: { memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] } } });
    writeFileSync(paths.servers, theirs);
    const servers = new ServerStore(paths, { permit: () => undefined });
    assert.throws(() => servers.exists(), refused(/has no "servers" \(it holds "mcpServers"\).*warden clients import/));
    assert.throws(() => servers.add({ name: 'q', transport: 'stdio', command: 'echo' }), refused(/has no "servers"/));
    assert.equal(readFileSync(paths.servers, 'utf8'), theirs);
    writeFileSync(paths.servers, '{}');
    assert.equal(servers.exists(), false, 'an empty object is still "nothing configured yet"');
  } finally {
    temp.remove();
  }
});

test('`warden policy rules` with a policy file that cannot be read says so, instead of "No standing rules"', () => {
  const temp = tempDir();
  try {
    writeFileSync(dataPaths(temp.dir).policy, '{"version": 1,');
    const r = spawnSync(process.execPath, [WARDEN_BIN, 'policy', 'rules'], { env: { ...process.env, WARDEN_DATA_DIR: temp.dir }, encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stdout, /No standing rules/);
    assert.match(r.stderr, /policy\.json cannot be read.*\[config_invalid\]/);
  } finally {
    temp.remove();
  }
});
