import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spliceDiff } from '../../../src-main/engine/clients/diff.js';
import { applySplices, rewriteSplices } from '../../../src-main/engine/clients/rewrite.js';

/** Applies a unified diff to `text` (checking every context and removed line), for checking the diff. */
function patch(text: string, diff: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let at = 0;
  const body = diff.split('\n').slice(2);
  for (let i = 0; i < body.length; i++) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(body[i]!);
    if (!header) continue;
    const from = Number(header[1]) - 1;
    while (at < from) out.push(lines[at++]!);
    for (i++; i < body.length && !body[i]!.startsWith('@@') && body[i] !== ''; i++) {
      const op = body[i]![0];
      const line = body[i]!.slice(1);
      if (op === '+') out.push(line);
      else {
        assert.equal(lines[at], line, `line ${at + 1} of the original`);
        at++;
        if (op === ' ') out.push(line);
      }
    }
    i--;
  }
  while (at < lines.length) out.push(lines[at++]!);
  return out.join('\n');
}

test('the preview diff has one hunk per distant change, with line numbers that apply', () => {
  const servers: Record<string, unknown> = {};
  for (let i = 0; i < 40; i++) servers[`s${i}`] = { command: 'npx', args: ['-y', `pkg-${i}`] };
  const text = JSON.stringify({ mcpServers: servers, other: true }, null, 2) + '\n';
  const splices = rewriteSplices(text, [
    { path: ['mcpServers', 's2'], remove: [], set: { command: '/usr/bin/node', args: ['/w/bin/warden.js', 'connect', 's2'] } },
    { path: ['mcpServers', 's30'], remove: ['args'], set: { command: '/usr/bin/node' } },
  ]);
  const after = applySplices(text, splices);
  const diff = spliceDiff(text, splices, { label: 'x.json' });
  assert.equal(diff.split('\n').filter((l) => l.startsWith('@@')).length, 2);
  assert.equal(patch(text, diff), after);
  assert.match(diff, /^-\s+"pkg-30"$/m);
});

test('changes close together share one hunk; no change, no diff', () => {
  const text = JSON.stringify({ mcpServers: { a: { command: 'x' }, b: { command: 'y' } } }, null, 2);
  const splices = rewriteSplices(text, [
    { path: ['mcpServers', 'a'], remove: [], set: { command: 'X' } },
    { path: ['mcpServers', 'b'], remove: [], set: { command: 'Y' } },
  ]);
  const diff = spliceDiff(text, splices);
  assert.equal(diff.split('\n').filter((l) => l.startsWith('@@')).length, 1);
  assert.equal(patch(text, diff), applySplices(text, splices));
  assert.equal(spliceDiff(text, []), '');
});

test('two entries on one line (a one-line file): the diff shows that line once, with both changes, and applies', () => {
  const text = '{"mcpServers":{"a":{"command":"npx","args":["a"]},"b":{"command":"npx","args":["b"]}}}';
  const splices = rewriteSplices(text, [
    { path: ['mcpServers', 'a'], remove: ['args'], set: { command: '/usr/bin/node' } },
    { path: ['mcpServers', 'b'], remove: ['args'], set: { command: '/usr/bin/node' } },
  ]);
  const diff = spliceDiff(text, splices);
  assert.equal(diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---')).length, 1, diff);
  assert.equal(diff.split('\n').filter((l) => l.startsWith('@@')).length, 1);
  assert.equal(patch(text, diff), applySplices(text, splices));
});
