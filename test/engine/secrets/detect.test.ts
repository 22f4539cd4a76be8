import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialArgs, looksLikeCredential, secretReason } from '../../../src-main/engine/secrets/detect.js';

test('names with TOKEN, KEY, SECRET, PASSWORD (and kin) mark secrets', () => {
  for (const name of ['GITHUB_TOKEN', 'OPENAI_API_KEY', 'CLIENT_SECRET', 'DB_PASSWORD', 'Authorization', 'X-Figma-Token', 'GITHUB_PERSONAL_ACCESS_TOKEN']) {
    assert.equal(secretReason(name, 'x'), 'name', name);
  }
});

test('plain settings are not secrets (PWD is the working directory, not a password)', () => {
  for (const [name, value] of [['LOG_LEVEL', 'debug'], ['PWD', '/home/ann'], ['MEMORY_FILE_PATH', '/home/ann/.memory.json'], ['PORT', '8080'], ['NODE_ENV', 'production']]) {
    assert.equal(secretReason(name!, value!), undefined, name);
  }
  assert.equal(secretReason('API_KEY', ''), undefined, 'an empty value has nothing to hide');
});

test('credential-looking values are secrets whatever their name', () => {
  for (const value of [
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'sk-ant-api03-abcdefghijklmnop',
    'xoxb-1234567890-abcdefghij',
    'AKIAIOSFODNN7EXAMPLE',
    'postgresql://user:hunter2@db.example.com/app',
    'Bearer abcdefgh12345678',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
    'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
  ]) {
    assert.ok(looksLikeCredential(value), value);
    assert.equal(secretReason('CONFIG', value), 'value');
  }
  for (const value of ['/Users/ann/Desktop', 'https://api.example.com/mcp', '@modelcontextprotocol/server-memory', '1.2.3']) assert.ok(!looksLikeCredential(value), value);
});

test('credentials in arguments are found, also as the value after a secret flag', () => {
  assert.deepEqual(credentialArgs(['-y', 'pkg', '--api-key=abc123', '/tmp']), [2]);
  assert.deepEqual(credentialArgs(['--token', 'short', '--verbose']), [1]);
  assert.deepEqual(credentialArgs(['postgresql://u:p4ss@localhost/db']), [0]);
  assert.deepEqual(credentialArgs(['-y', '@modelcontextprotocol/server-filesystem', '/Users/ann/Desktop']), []);
});

test('passwords named by their ending (DB_PASS, PGPASS, MYSQL_PWD) are secrets; PWD, the working directory, is not', () => {
  for (const name of ['DB_PASS', 'PGPASS', 'MYSQL_PWD', 'ADMIN_PW']) assert.equal(secretReason(name, 'x'), 'name', name);
  assert.equal(secretReason('PWD', '/home/me'), undefined);
});
