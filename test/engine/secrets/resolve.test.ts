import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEnv, resolveSecret } from '../../../src-main/engine/secrets/resolve.js';
import { planSecretMove } from '../../../src-main/engine/secrets/move.js';
import { MemoryKeychain } from '../clients/doubles.js';

test('references become values when a server starts; plain values pass as they are', async () => {
  const keychain = new MemoryKeychain();
  await keychain.set('github/GITHUB_TOKEN', 'ghp_value');
  assert.deepEqual(await resolveEnv({ GITHUB_TOKEN: { secret: 'github/GITHUB_TOKEN' }, LOG_LEVEL: 'info' }, { keychain }), { GITHUB_TOKEN: 'ghp_value', LOG_LEVEL: 'info' });
  assert.equal(await resolveSecret('github/GITHUB_TOKEN', { keychain }), 'ghp_value');
});

test('a missing secret is an error that names it and says how to set it', async () => {
  await assert.rejects(resolveSecret('github/GITHUB_TOKEN', { keychain: new MemoryKeychain() }), (e: any) => e.code === 'secret_missing' && /warden secrets set github\/GITHUB_TOKEN/.test(e.message));
});

test('planning a move names each secret `<server>/<VARIABLE>` and leaves plain values in place', () => {
  const { refs, moves } = planSecretMove('db', { DATABASE_URL: 'postgres://app:pw@localhost/app', PGPORT: '5432', API_KEY: 'k' });
  assert.deepEqual(refs, { DATABASE_URL: { secret: 'db/DATABASE_URL' }, PGPORT: '5432', API_KEY: { secret: 'db/API_KEY' } });
  assert.deepEqual(moves.map((m) => m.account), ['db/DATABASE_URL', 'db/API_KEY']);
});
