// The published JSON Schema (docs/managed-policy.schema.json) is the zod definition's, and a validator
// that only knows the JSON Schema (ajv, as IT tooling would use) agrees with Warden on every fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { managedPolicyJsonSchema } from '../../../shared/managed-schema.js';
import { ManagedPolicy } from '../../../shared/managed.js';
import { ROOT } from '../../helpers/engine.js';

const FIXTURES = join(ROOT, 'test', 'engine', 'managed', 'fixtures');
const published = JSON.parse(readFileSync(join(ROOT, 'docs', 'managed-policy.schema.json'), 'utf8')) as Record<string, unknown>;

test('docs/managed-policy.schema.json is generated from shared/managed.ts (run `npx tsx scripts/managed-schema.ts` after a change)', () => {
  assert.deepEqual(published, managedPolicyJsonSchema());
});

test('ajv over the published schema and zod accept and refuse the same files', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(published);
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 4);
  for (const file of files) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
    } catch {
      continue; // not JSON at all: neither validator sees it
    }
    const zodOk = ManagedPolicy.safeParse(data).success;
    assert.equal(validate(data), zodOk, `${file}: ajv ${JSON.stringify(validate.errors?.slice(0, 2))} vs zod ${zodOk}`);
    assert.equal(zodOk, !file.startsWith('broken'), file);
  }
});

test("the issue's example shape is accepted as written", () => {
  const p = ManagedPolicy.parse(JSON.parse(readFileSync(join(FIXTURES, 'issue-shape.json'), 'utf8')));
  assert.equal(p.servers.github!.tier, 'restricted');
  assert.equal(p.settings.allowAlwaysAllow, false);
  assert.equal(p.rules[0]!.id, 'm1');
});
