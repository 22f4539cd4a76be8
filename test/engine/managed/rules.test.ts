// Managed rules: globs over server and tool names, deny wins among matches, and the decision they make
// beats every standing rule of the person (including "always allow").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManagedPolicy } from '../../../shared/managed.js';
import { matchManagedRule } from '../../../src-main/engine/managed/rules.js';
import { globMatches } from '../../../src-main/engine/managed/glob.js';
import { decide, overrideKey } from '../../../src-main/engine/policy/decide.js';
import { RuleIndex } from '../../../src-main/engine/policy/rules.js';

const policy = (rules: unknown[], settings: Record<string, unknown> = {}) => ManagedPolicy.parse({ version: 1, rules, settings });

test('globs: * and ? match names, everything else is literal', () => {
  assert.ok(globMatches('write_*', 'write_file'));
  assert.ok(globMatches('github-?', 'github-1'));
  assert.ok(!globMatches('write_*', 'read_file'));
  assert.ok(!globMatches('a.b', 'aXb'), 'a dot is a dot');
  assert.ok(globMatches('*', 'anything'));
});

test('rules without ids get m<position>; among matching rules deny wins whatever the order', () => {
  const p = policy([
    { effect: 'allow', server: '*', tool: 'read_*' },
    { effect: 'ask', server: 'fs', tool: '*' },
    { effect: 'deny', server: 'f?', tool: 'read_secret*', reason: 'secrets stay' },
  ]);
  assert.deepEqual(p.rules.map((r) => r.id), ['m1', 'm2', 'm3']);
  assert.equal(matchManagedRule(p, 'fs', 'read_file', 'c', {})?.id, 'm2');
  assert.equal(matchManagedRule(p, 'fs', 'read_secrets', 'c', {})?.id, 'm3');
  assert.equal(matchManagedRule(p, 'git', 'read_log', 'c', {})?.id, 'm1');
  assert.equal(matchManagedRule(p, 'git', 'push', 'c', {}), undefined);
});

test('argument constraints and clients narrow a managed rule', () => {
  const p = policy([
    { id: 'etc', effect: 'deny', server: '*', tool: '*', when: [{ arg: 'path', op: 'prefix', value: '/etc' }] },
    { id: 'ci', effect: 'deny', server: '*', tool: 'push*', client: 'ci-bot' },
  ]);
  assert.equal(matchManagedRule(p, 'fs', 'read_file', 'c', { path: '/etc/../etc/passwd' })?.id, 'etc');
  assert.equal(matchManagedRule(p, 'fs', 'read_file', 'c', { path: '/home/a' }), undefined);
  assert.equal(matchManagedRule(p, 'git', 'push', 'ci-bot', {})?.id, 'ci');
  assert.equal(matchManagedRule(p, 'git', 'push', 'laptop', {}), undefined);
});

const input = (tool: string) => ({
  server: 'fs', tool, clientId: 'c', sessionId: 's', args: {}, tier: 'trusted' as const, risk: 'low' as const, riskReasons: [], flags: [], pinStatus: 'pinned' as const, pinChanges: [], now: 0,
});
const userAllow = new RuleIndex([{ id: 'r1', server: 'fs', tool: '*', effect: 'allow' as const, when: [], createdAt: '' }]);
const state = (managed?: ManagedPolicy) => ({ rules: userAllow, overrides: new Map(), consents: { match: () => undefined }, managed });

test("a managed deny glob beats the person's always-allow and names who manages it", () => {
  const m = ManagedPolicy.parse({ version: 1, managedBy: 'Example Corp IT', rules: [{ effect: 'deny', server: '*', tool: 'write_*', reason: 'read-only laptops' }] });
  const d = decide(input('write_file'), state(m));
  assert.equal(d.effect, 'deny');
  assert.equal(d.ruleId, 'managed:m1');
  assert.match(d.reasons[0]!, /Example Corp IT/);
  assert.match(d.reasons[0]!, /read-only laptops/);
  assert.equal(decide(input('read_file'), state(m)).ruleId, 'rule:r1', 'other tools still follow the person');
});

test('allowAlwaysAllow: false makes standing allow rules inert (the tier default decides)', () => {
  const d = decide({ ...input('write_file'), tier: 'standard', risk: 'high' }, state(policy([], { allowAlwaysAllow: false })));
  assert.notEqual(d.ruleId, 'rule:r1');
  assert.equal(d.effect, 'ask');
});

test('allowAlwaysAllow: false also makes allow overrides inert; a deny override still denies', () => {
  const withOverride = (effect: 'allow' | 'deny') => ({ ...state(policy([], { allowAlwaysAllow: false })), rules: new RuleIndex([]), overrides: new Map([[overrideKey('fs', 'write_file'), { server: 'fs', tool: 'write_file', effect, hidden: false }]]) });
  const allowed = decide({ ...input('write_file'), tier: 'standard', risk: 'high' }, withOverride('allow') as never);
  assert.equal(allowed.effect, 'ask', 'the tier default decides');
  assert.equal(decide({ ...input('write_file'), tier: 'standard', risk: 'high' }, withOverride('deny') as never).effect, 'deny');
});

test("a tier fixed at restricted by managed policy: the person's standing allows ask instead and say why; a session answer, a deny rule and other servers are unchanged", () => {
  const m = ManagedPolicy.parse({ version: 1, managedBy: 'Example Corp IT', servers: { fs: { tier: 'restricted' } } });
  const restricted = { ...input('write_file'), tier: 'restricted' as const };
  const byRule = decide(restricted, state(m));
  assert.equal(byRule.effect, 'ask', 'before, the standing rule r1 allowed it');
  assert.equal(byRule.ruleId, 'tier:restricted/low');
  assert.ok(byRule.reasons.some((r) => /Example Corp IT\) fixes `fs` at restricted: every call to it asks a person\. Your standing rule r1 \(always allow\) does not apply\./.test(r)), byRule.reasons.join('\n'));

  const override = { ...state(m), rules: new RuleIndex([]), overrides: new Map([[overrideKey('fs', 'write_file'), { server: 'fs', tool: 'write_file', effect: 'allow' as const, hidden: false }]]) };
  const byOverride = decide(restricted, override as never);
  assert.equal(byOverride.effect, 'ask');
  assert.ok(byOverride.reasons.some((r) => /allow setting in Servers & tools does not apply/.test(r)));

  const session = { ...state(m), rules: new RuleIndex([]), consents: { match: () => ({ id: 'c1', effect: 'allow', scope: 'session', when: [], approver: 'user:ui' }) } };
  assert.equal(decide(restricted, session as never).effect, 'allow', 'a person answered for this session');
  const denyRule = { ...state(m), rules: new RuleIndex([{ id: 'r2', server: 'fs', tool: '*', effect: 'deny' as const, when: [], createdAt: '' }]) };
  assert.equal(decide(restricted, denyRule).effect, 'deny');
  const other = { ...input('write_file'), server: 'git' };
  assert.equal(decide(other, { ...state(m), rules: new RuleIndex([{ id: 'r3', server: 'git', tool: '*', effect: 'allow' as const, when: [], createdAt: '' }]) }).ruleId, 'rule:r3');
});
