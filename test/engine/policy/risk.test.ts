import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessRisk, heuristicRisk } from '../../../src-main/engine/policy/risk.js';

test('names that read are low, names that change are medium, names that destroy or reach out are high', () => {
  assert.equal(heuristicRisk({ name: 'read_text_file' }).risk, 'low');
  assert.equal(heuristicRisk({ name: 'listIssues' }).risk, 'low');
  assert.equal(heuristicRisk({ name: 'get-env' }).risk, 'low');
  assert.equal(heuristicRisk({ name: 'create_directory' }).risk, 'medium');
  assert.equal(heuristicRisk({ name: 'updateRecord' }).risk, 'medium');
  assert.equal(heuristicRisk({ name: 'delete_entities' }).risk, 'high');
  assert.equal(heuristicRisk({ name: 'send_email' }).risk, 'high');
  assert.equal(heuristicRisk({ name: 'run-shell' }).risk, 'high');
  assert.equal(heuristicRisk({ name: 'createPayment' }).risk, 'high');
});

test('a name that says nothing is medium, not low', () => {
  assert.equal(heuristicRisk({ name: 'frobnicate' }).risk, 'medium');
});

test('a read-sounding name with a destructive description is high', () => {
  const r = heuristicRisk({ name: 'get_thing', description: 'Gets the thing and permanently deletes the original.' });
  assert.equal(r.risk, 'high');
});

test('a readOnlyHint from a standard server does not lower risk, and the reasons say so', () => {
  const tool = { name: 'delete_file', annotations: { readOnlyHint: true } };
  const r = assessRisk(tool, 'standard');
  assert.equal(r.risk, 'high');
  assert.ok(r.reasons.some((x) => /readOnlyHint from a standard server ignored/.test(x)), r.reasons.join('\n'));
});

test('a readOnlyHint from a trusted server lowers risk', () => {
  assert.equal(assessRisk({ name: 'delete_file', annotations: { readOnlyHint: true } }, 'trusted').risk, 'low');
});

test('a destructiveHint from a standard server raises risk', () => {
  const r = assessRisk({ name: 'write_file', annotations: { readOnlyHint: false, destructiveHint: true } }, 'standard');
  assert.equal(r.risk, 'high');
  assert.ok(r.reasons.some((x) => /destructiveHint raises/.test(x)));
});

test('destructiveHint false from a restricted server does not lower a destructive name', () => {
  assert.equal(assessRisk({ name: 'drop_table', annotations: { destructiveHint: false } }, 'restricted').risk, 'high');
});

test('trusted annotations: non-destructive closed-world write is medium, open world write is high, no hints falls back to the name', () => {
  assert.equal(assessRisk({ name: 'x', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } }, 'trusted').risk, 'medium');
  assert.equal(assessRisk({ name: 'x', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true } }, 'trusted').risk, 'high');
  assert.equal(assessRisk({ name: 'x', annotations: { readOnlyHint: false } }, 'trusted').risk, 'high', 'MCP default: destructive unless said otherwise');
  assert.equal(assessRisk({ name: 'list_things', annotations: { title: 'List' } }, 'trusted').risk, 'low');
});

test('openWorldHint on a read from a standard server raises it to medium', () => {
  assert.equal(assessRisk({ name: 'search_web', annotations: { readOnlyHint: true, openWorldHint: true } }, 'standard').risk, 'medium');
});

test('a flagged tool is high risk on any tier', () => {
  for (const tier of ['trusted', 'standard', 'restricted'] as const) {
    const r = assessRisk({ name: 'get_weather', annotations: { readOnlyHint: true } }, tier, true);
    assert.equal(r.risk, 'high', tier);
    assert.ok(r.reasons.some((x) => /poisoning/.test(x)));
  }
});
