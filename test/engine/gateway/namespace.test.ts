// Tool names on the aggregated endpoint: `<server>__<tool>`, split by the longest configured server name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namespacedName, splitNamespacedName } from '../../../src-main/engine/gateway/namespace.js';

test('a tool is named <server>__<tool>', () => {
  assert.equal(namespacedName('everything', 'echo'), 'everything__echo');
  assert.equal(namespacedName('memory', 'create_entities'), 'memory__create_entities');
});

test('a name is split at the longest configured server name followed by __; the tool keeps its own underscores', () => {
  const servers = ['a', 'a__b', 'memory', 'my_server'];
  const cases: Array<[string, { server: string; tool: string } | undefined]> = [
    ['a__x', { server: 'a', tool: 'x' }],
    ['a__b__c', { server: 'a__b', tool: 'c' }],
    ['a__b', { server: 'a', tool: 'b' }],
    ['memory__create_entities', { server: 'memory', tool: 'create_entities' }],
    ['memory____x', { server: 'memory', tool: '__x' }],
    ['my_server__read__all', { server: 'my_server', tool: 'read__all' }],
    ['memory__', undefined],
    ['memory_x', undefined],
    ['nosuch__echo', undefined],
    ['echo', undefined],
  ];
  for (const [name, expected] of cases) assert.deepEqual(splitNamespacedName(name, servers), expected, name);
  assert.equal(splitNamespacedName('a__x', []), undefined, 'no servers configured');
});
