import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tierDefault } from '../../../src-main/engine/policy/tiers.js';

const table = [
  ['trusted', 'low', 'allow'],
  ['trusted', 'medium', 'allow'],
  ['trusted', 'high', 'ask'],
  ['standard', 'low', 'allow'],
  ['standard', 'medium', 'ask'],
  ['standard', 'high', 'ask'],
  ['restricted', 'low', 'ask'],
  ['restricted', 'medium', 'ask'],
  ['restricted', 'high', 'ask'],
  ['blocked', 'low', 'deny'],
  ['blocked', 'medium', 'deny'],
  ['blocked', 'high', 'deny'],
] as const;

for (const [tier, risk, effect] of table) {
  test(`a ${risk}-risk tool on a ${tier} server: ${effect}`, () => {
    const d = tierDefault(tier, risk);
    assert.equal(d.effect, effect);
    assert.equal(d.ruleId, `tier:${tier}/${risk}`);
    assert.ok(d.reason.length > 10);
  });
}
