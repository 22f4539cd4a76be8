// Decision tables over tiers × risk × annotations × overrides × rules × consents × pins × managed policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagedPolicy } from '../../../shared/managed.js';
import type { Consent, Override, PinStatus, Rule } from '../../../shared/policy.js';
import type { Tier } from '../../../shared/words.js';
import { ConsentBook } from '../../../src-main/engine/approvals/consents.js';
import { decide, overrideKey } from '../../../src-main/engine/policy/decide.js';
import { assessRisk, type ToolShape } from '../../../src-main/engine/policy/risk.js';
import { RuleIndex } from '../../../src-main/engine/policy/rules.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

interface Case {
  tier?: Tier;
  tool?: ToolShape;
  args?: Record<string, unknown>;
  rules?: Partial<Rule>[];
  overrides?: Override[];
  consents?: Consent[];
  managed?: ManagedPolicy;
  pinStatus?: PinStatus;
  flagged?: boolean;
  client?: string;
  session?: string;
}

function book(consents: Consent[]) {
  const b = new ConsentBook([], NOW);
  for (const c of consents) b.add(c);
  return b;
}

function run(c: Case) {
  const tool = c.tool ?? { name: 'write_file' };
  const tier = c.tier ?? 'standard';
  const r = assessRisk(tool, tier, !!c.flagged);
  const rules = (c.rules ?? []).map((x, i) => ({ id: `r${i + 1}`, server: 'fs', tool: tool.name, effect: 'allow', when: [], createdAt: '', ...x }) as Rule);
  return decide(
    {
      server: 'fs',
      tool: tool.name,
      clientId: c.client ?? 'client-a',
      sessionId: c.session ?? 's1',
      args: c.args ?? {},
      tier,
      risk: r.risk,
      riskReasons: r.reasons,
      flags: c.flagged ? [{ kind: 'hidden-instruction', message: 'A tag that addresses the model directly', excerpt: '<IMPORTANT>' }] : [],
      pinStatus: c.pinStatus ?? 'pinned',
      pinChanges: c.pinStatus === 'changed' ? [{ field: 'description', summary: 'Description changed: added "x".', before: 'a', after: 'ax' }] : [],
      now: NOW,
    },
    {
      rules: new RuleIndex(rules),
      overrides: new Map((c.overrides ?? []).map((o) => [overrideKey(o.server, o.tool), o])),
      consents: book(c.consents ?? []),
      managed: c.managed,
    },
  );
}

const READ = { name: 'read_text_file', annotations: { readOnlyHint: true } };
const WRITE = { name: 'create_directory', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } };
const DESTROY = { name: 'delete_entities', annotations: { readOnlyHint: false, destructiveHint: true } };
const LIAR = { name: 'delete_everything', annotations: { readOnlyHint: true } };
const OPAQUE_READ = { name: 'frobnicate', annotations: { readOnlyHint: true } };

// tier × tool (risk from annotations or heuristics) → effect, rule
const table: [Tier, ToolShape, 'allow' | 'ask' | 'deny', string][] = [
  ['trusted', READ, 'allow', 'tier:trusted/low'],
  ['trusted', WRITE, 'allow', 'tier:trusted/medium'],
  ['trusted', DESTROY, 'ask', 'tier:trusted/high'],
  ['trusted', LIAR, 'allow', 'tier:trusted/low'], // a trusted server's readOnlyHint is believed
  ['trusted', OPAQUE_READ, 'allow', 'tier:trusted/low'],
  ['standard', READ, 'allow', 'tier:standard/low'],
  ['standard', WRITE, 'ask', 'tier:standard/medium'],
  ['standard', DESTROY, 'ask', 'tier:standard/high'],
  ['standard', LIAR, 'ask', 'tier:standard/high'], // ...a standard server's is not
  ['standard', OPAQUE_READ, 'ask', 'tier:standard/medium'],
  ['restricted', READ, 'ask', 'tier:restricted/low'],
  ['restricted', WRITE, 'ask', 'tier:restricted/medium'],
  ['restricted', DESTROY, 'ask', 'tier:restricted/high'],
  ['blocked', READ, 'deny', 'tier:blocked'],
  ['blocked', DESTROY, 'deny', 'tier:blocked'],
];
for (const [tier, tool, effect, ruleId] of table) {
  test(`${tier} server, ${tool.name} ${JSON.stringify(tool.annotations)} → ${effect} (${ruleId})`, () => {
    const d = run({ tier, tool });
    assert.equal(d.effect, effect, d.reasons.join('\n'));
    assert.equal(d.ruleId, ruleId);
    assert.ok(d.reasons.length > 0);
  });
}

test('the reasons of a standard server ignoring readOnlyHint say so', () => {
  const d = run({ tier: 'standard', tool: LIAR });
  assert.ok(d.reasons.some((r) => /readOnlyHint from a standard server ignored/.test(r)), d.reasons.join('\n'));
});

test('a blocked server hides its tools; a plain deny does not', () => {
  assert.equal(run({ tier: 'blocked', tool: READ }).hidden, true);
  assert.equal(run({ tier: 'standard', tool: READ, overrides: [{ server: 'fs', tool: READ.name, effect: 'deny', hidden: false }] }).hidden, false);
  assert.equal(run({ tier: 'standard', tool: READ, overrides: [{ server: 'fs', tool: READ.name, effect: 'deny', hidden: true }] }).hidden, true);
});

// overrides on any tier but blocked
for (const tier of ['trusted', 'standard', 'restricted'] as const) {
  for (const effect of ['allow', 'ask', 'deny'] as const) {
    test(`an override ${effect} on a ${tier} server decides a high-risk tool`, () => {
      const d = run({ tier, tool: DESTROY, overrides: [{ server: 'fs', tool: DESTROY.name, effect, hidden: false }] });
      assert.equal(d.effect, effect);
      assert.equal(d.ruleId, `override:fs/${DESTROY.name}`);
    });
  }
}

test('a blocked server stays denied whatever the override or rule says', () => {
  const d = run({ tier: 'blocked', tool: READ, overrides: [{ server: 'fs', tool: READ.name, effect: 'allow', hidden: false }], rules: [{ effect: 'allow' }] });
  assert.equal(d.effect, 'deny');
});

test('a standing allow rule beats the tier default; with a path prefix it only holds under it', () => {
  const rules = [{ effect: 'allow' as const, when: [{ arg: 'path', op: 'prefix' as const, value: '/work' }] }];
  assert.equal(run({ tool: DESTROY, rules, args: { path: '/work/a' } }).effect, 'allow');
  assert.equal(run({ tool: DESTROY, rules, args: { path: '/work/a' } }).ruleId, 'rule:r1');
  assert.equal(run({ tool: DESTROY, rules, args: { path: '/work/../etc/passwd' } }).effect, 'ask');
  assert.match(run({ tool: DESTROY, rules, args: { path: '/work/a' } }).reasons[0]!, /matches your standing rule r1/i);
});

test('a standing deny beats a standing allow and every consent', () => {
  const consent: Consent = { id: 'c1', effect: 'allow', scope: 'session', server: 'fs', tool: DESTROY.name, client: 'client-a', sessionId: 's1', when: [], approver: 'user:ui', createdAt: '' };
  const d = run({ tool: DESTROY, rules: [{ effect: 'allow' }, { effect: 'deny' }], consents: [consent] });
  assert.equal(d.effect, 'deny');
  assert.equal(d.ruleId, 'rule:r2');
});

test('a standing rule beats session consents, which beat the tier default and allow/ask overrides', () => {
  const allowSession: Consent = { id: 'c1', effect: 'allow', scope: 'session', server: 'fs', tool: DESTROY.name, client: 'client-a', sessionId: 's1', when: [], approver: 'user:ui', createdAt: '' };
  assert.equal(run({ tool: DESTROY, consents: [allowSession] }).ruleId, 'consent:c1');
  assert.equal(run({ tool: DESTROY, consents: [allowSession], overrides: [{ server: 'fs', tool: DESTROY.name, effect: 'ask', hidden: false }] }).effect, 'allow');
  assert.equal(run({ tool: DESTROY, consents: [allowSession], rules: [{ effect: 'ask' }] }).ruleId, 'rule:r1');
  assert.equal(run({ tool: DESTROY, consents: [allowSession], overrides: [{ server: 'fs', tool: DESTROY.name, effect: 'deny', hidden: false }] }).effect, 'deny', 'a deny override is standing');
});

test('a session consent holds only for its session and client; a timed one only until it expires', () => {
  const s: Consent = { id: 'c1', effect: 'allow', scope: 'session', server: 'fs', tool: DESTROY.name, client: 'client-a', sessionId: 's1', when: [], approver: 'user:ui', createdAt: '' };
  assert.equal(run({ tool: DESTROY, consents: [s], session: 's2' }).effect, 'ask');
  assert.equal(run({ tool: DESTROY, consents: [s], client: 'client-b' }).effect, 'ask');
  const live: Consent = { ...s, id: 'c2', scope: '5m', sessionId: undefined, expiresAt: new Date(NOW + 1000).toISOString() };
  const dead: Consent = { ...live, id: 'c3', expiresAt: new Date(NOW - 1).toISOString() };
  assert.equal(run({ tool: DESTROY, consents: [live], session: 'other' }).ruleId, 'consent:c2');
  assert.equal(run({ tool: DESTROY, consents: [dead] }).effect, 'ask');
});

test('managed policy comes first: its deny beats every user rule, its allow beats the tier default', () => {
  const managed = ManagedPolicy.parse({ version: 1, rules: [{ id: 'm1', server: 'fs', tool: '*', effect: 'deny', reason: 'no file writes on company laptops' }] });
  const d = run({ tier: 'trusted', tool: READ, managed, rules: [{ effect: 'allow' }], overrides: [{ server: 'fs', tool: READ.name, effect: 'allow', hidden: false }] });
  assert.equal(d.effect, 'deny');
  assert.equal(d.ruleId, 'managed:m1');
  assert.equal(d.approver, 'managed');
  assert.match(d.reasons[0]!, /no file writes on company laptops/);
  const allow = ManagedPolicy.parse({ version: 1, rules: [{ id: 'm2', server: 'fs', tool: DESTROY.name, effect: 'allow' }] });
  assert.equal(run({ tool: DESTROY, managed: allow }).ruleId, 'managed:m2');
});

// pins: a changed definition asks whatever the tier, the rule or the consent — but never lifts a deny
for (const tier of ['trusted', 'standard', 'restricted'] as const) {
  test(`a changed definition on a ${tier} server asks, even for a low-risk tool with an allow rule`, () => {
    const d = run({ tier, tool: READ, pinStatus: 'changed', rules: [{ effect: 'allow' }] });
    assert.equal(d.effect, 'ask');
    assert.equal(d.ruleId, 'pin:changed');
    assert.ok(d.reasons.some((r) => /Description changed/.test(r)));
  });
}
test('a changed definition does not lift a deny', () => {
  assert.equal(run({ tier: 'blocked', tool: READ, pinStatus: 'changed' }).effect, 'deny');
  assert.equal(run({ tool: READ, pinStatus: 'changed', rules: [{ effect: 'deny' }] }).effect, 'deny');
});
test('a new tool says so; an unknown one says its risk came from the name', () => {
  assert.ok(run({ tool: READ, pinStatus: 'new' }).reasons.some((r) => /new tool/i.test(r)));
  assert.ok(run({ tool: READ, pinStatus: 'unknown' }).reasons.some((r) => /name alone/.test(r)));
});

// flags
test('a flagged read on a trusted server asks (high risk) and the reasons carry the flag', () => {
  const d = run({ tier: 'trusted', tool: READ, flagged: true });
  assert.equal(d.effect, 'ask');
  assert.equal(d.risk, 'high');
  assert.ok(d.reasons.some((r) => /Flagged/.test(r)));
});

test('a tool the server never listed asks where its tier would allow it; a rule can still allow it, a deny stays a deny', () => {
  for (const tier of ['trusted', 'standard'] as const) {
    const d = run({ tier, tool: READ, pinStatus: 'unknown' });
    assert.equal(d.effect, 'ask', tier);
    assert.equal(d.ruleId, 'pin:unlisted');
    assert.match(d.reasons[0]!, /has not listed a tool .* so it asks/);
  }
  assert.equal(run({ tool: READ, pinStatus: 'unknown', rules: [{ effect: 'allow' }] }).effect, 'allow');
  assert.equal(run({ tier: 'restricted', tool: DESTROY, pinStatus: 'unknown' }).effect, run({ tier: 'restricted', tool: DESTROY }).effect, 'no weaker than the tier');
  assert.equal(run({ tier: 'blocked', tool: READ, pinStatus: 'unknown' }).effect, 'deny');
});
