import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuleIndex, constraintHolds, underPrefix, type MatchableRule } from '../../../src-main/engine/policy/rules.js';

test('a path prefix holds only under the directory, after resolving ..', () => {
  assert.ok(underPrefix('/home/ann/project/a.txt', '/home/ann/project'));
  assert.ok(underPrefix('/home/ann/project', '/home/ann/project/'));
  assert.ok(!underPrefix('/home/ann/projectx/a.txt', '/home/ann/project'));
  assert.ok(!underPrefix('/home/ann/project/../.ssh/id_rsa', '/home/ann/project'));
  assert.equal(underPrefix('project/a.txt', '/home/ann/project'), undefined, 'a relative path cannot be placed');
  assert.ok(underPrefix('C:\\Users\\Ann\\Proj\\x.txt', 'c:\\users\\ann\\proj'));
  assert.ok(!underPrefix('C:\\Users\\Ann\\Proj\\..\\x.txt', 'c:\\users\\ann\\proj'));
});

test('a path that cannot be placed (relative, another kind) matches a deny or an ask and never an allow: fail closed', () => {
  const c = { arg: 'path', op: 'prefix', value: '/srv/box/secret' } as const;
  for (const path of ['secret/a.txt', './secret/a.txt', 'C:\\secret\\a.txt']) {
    assert.equal(constraintHolds(c, { path }, 'any'), true, `a deny catches ${path}`);
    assert.equal(constraintHolds(c, { path }, 'all'), false, `an allow does not let ${path} through`);
  }
  const rules = new RuleIndex<MatchableRule>([{ id: 'r1', server: 'fs', tool: 'read', effect: 'deny', when: [c] }]);
  assert.equal(rules.match('fs', 'read', 'c', { path: 'secret/a.txt' })?.id, 'r1');
  assert.equal(rules.match('fs', 'read', 'c', { path: '/srv/box/public/a.txt' }), undefined);
});

test('~, file: URLs and symlinks are placed where the server will read them', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'warden-rules-')));
  try {
    mkdirSync(join(root, 'secret'));
    mkdirSync(join(root, 'pub'));
    symlinkSync(join(root, 'secret'), join(root, 'pub', 'link'));
    const secret = join(root, 'secret');
    assert.equal(underPrefix(join(root, 'pub', 'link', 'a.txt'), secret), true, 'a link into the folder is in it');
    assert.equal(underPrefix(join(root, 'pub', 'link', 'new', 'b.txt'), secret), true, 'also for a file not written yet');
    assert.equal(underPrefix(join(root, 'pub', 'link', 'a.txt'), join(root, 'pub')), false, 'and not where the link sits');
    assert.equal(underPrefix(pathToFileURL(join(secret, 'a.txt')).href, secret), true);
    assert.equal(underPrefix('~/.ssh/id_rsa', join(homedir(), '.ssh')), true);
    assert.equal(underPrefix('~/../../etc/passwd', join(homedir(), '.ssh')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an array of paths holds for an allow only when every path holds, for a deny when any does', () => {
  const c = { arg: 'paths', op: 'prefix', value: '/safe' } as const;
  const args = { paths: ['/safe/a', '/etc/passwd'] };
  assert.equal(constraintHolds(c, args, 'all'), false);
  assert.equal(constraintHolds(c, args, 'any'), true);
});

test('an exact value holds only for that value and type; a missing argument never holds', () => {
  const c = { arg: 'branch', op: 'equals', value: 'main' } as const;
  assert.ok(constraintHolds(c, { branch: 'main' }, 'all'));
  assert.ok(!constraintHolds(c, { branch: 'main2' }, 'all'));
  assert.ok(!constraintHolds(c, {}, 'all'));
  assert.ok(!constraintHolds({ arg: 'n', op: 'equals', value: 1 }, { n: '1' }, 'all'));
});

test('among matching rules the most restrictive wins; wildcards match; client-bound rules only match that client', () => {
  const rules: MatchableRule[] = [
    { id: 'r1', server: 'fs', tool: 'write_file', effect: 'allow', when: [{ arg: 'path', op: 'prefix', value: '/work' }] },
    { id: 'r2', server: 'fs', tool: '*', effect: 'deny', when: [{ arg: 'path', op: 'prefix', value: '/work/secrets' }] },
    { id: 'r3', server: '*', tool: 'read_graph', effect: 'allow', when: [], client: 'cursor' },
  ];
  const idx = new RuleIndex(rules);
  assert.equal(idx.match('fs', 'write_file', 'c', { path: '/work/a' })?.id, 'r1');
  assert.equal(idx.match('fs', 'write_file', 'c', { path: '/work/secrets/k' })?.id, 'r2');
  assert.equal(idx.match('fs', 'write_file', 'c', { path: '/tmp/a' }), undefined);
  assert.equal(idx.match('memory', 'read_graph', 'cursor', {})?.id, 'r3');
  assert.equal(idx.match('memory', 'read_graph', 'claude', {}), undefined);
});
