import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleIndex, constraintHolds, underPrefix, type MatchableRule } from '../../../src-main/engine/policy/rules.js';

test('a path prefix holds only under the directory, after resolving ..', () => {
  assert.ok(underPrefix('/home/ann/project/a.txt', '/home/ann/project'));
  assert.ok(underPrefix('/home/ann/project', '/home/ann/project/'));
  assert.ok(!underPrefix('/home/ann/projectx/a.txt', '/home/ann/project'));
  assert.ok(!underPrefix('/home/ann/project/../.ssh/id_rsa', '/home/ann/project'));
  assert.ok(!underPrefix('project/a.txt', '/home/ann/project'), 'a relative path never matches');
  assert.ok(underPrefix('C:\\Users\\Ann\\Proj\\x.txt', 'c:\\users\\ann\\proj'));
  assert.ok(!underPrefix('C:\\Users\\Ann\\Proj\\..\\x.txt', 'c:\\users\\ann\\proj'));
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
