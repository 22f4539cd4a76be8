import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argumentNames, argumentsDigest, canonicalJson } from '../../../src-main/engine/audit/canonical.js';
import { REDACTED, redactSecrets, redactText } from '../../../src-main/engine/audit/redact.js';

test('canonical JSON sorts keys at every depth, so the argument digest ignores key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  assert.equal(argumentsDigest({ x: 1, y: 'two' }), argumentsDigest({ y: 'two', x: 1 }));
  assert.notEqual(argumentsDigest({ x: 1 }), argumentsDigest({ x: 2 }));
  assert.match(argumentsDigest({}), /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(argumentNames({ zeta: 1, alpha: 2 }), ['alpha', 'zeta']);
});

test('values under secret-looking keys are redacted at any depth', () => {
  const out = redactSecrets({
    path: '/tmp/a',
    password: 'hunter2',
    nested: { apiKey: 'abc', api_key: 'abc', 'X-Api-Key': 'k', Authorization: 'xyz', client_secret: 's', refreshToken: 't' },
    list: [{ token: 'x' }, { pwd: 'y' }],
    flags: { secretMode: true },
  }) as Record<string, any>;
  assert.equal(out.path, '/tmp/a');
  assert.equal(out.password, REDACTED);
  for (const value of Object.values(out.nested)) assert.equal(value, REDACTED);
  assert.equal(out.list[0].token, REDACTED);
  assert.equal(out.list[1].pwd, REDACTED);
  assert.equal(out.flags.secretMode, true, 'a boolean says nothing secret');
});

const shapes: Array<[string, string, string]> = [
  ['bearer header', 'Authorization: Bearer abcdef123456.xyz', 'abcdef123456'],
  ['JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'eyJzdWIi'],
  ['AWS access key', 'key AKIAIOSFODNN7EXAMPLE used', 'AKIAIOSFODNN7EXAMPLE'],
  ['GitHub token', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', 'ghp_0123456789'],
  ['Slack token', 'xoxb-123456789012-abcdefghij', 'xoxb-1234'],
  ['OpenAI-style key', 'sk-proj-abcdefghijklmnop1234', 'abcdefghijklmnop'],
  ['Google API key', 'AIzaSyA1234567890abcdefghijklmnopqrstu', 'AIzaSyA123'],
  ['URL credentials', 'postgres://admin:s3cretpw@db.local/app', 's3cretpw'],
  ['key=value in text', 'connect with password=hunter2 and user=bob', 'hunter2'],
  ['JSON-ish in text', '{"api_key": "abc123def"}', 'abc123def'],
  ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----', 'MIIEabc'],
  ['long random string', 'id Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2', 'Zx9Qw3Er5Ty7'],
];

for (const [name, input, secret] of shapes) {
  test(`a ${name} inside a string is redacted`, () => {
    const out = redactText(input);
    assert.ok(!out.includes(secret), `${out} still holds ${secret}`);
    assert.ok(out.includes(REDACTED));
  });
}

test('ordinary text, paths and hex digests are kept', () => {
  for (const text of ['/home/me/project/src/index.ts', 'Hello world, this is a note about tokens in general.', 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08']) {
    assert.equal(redactText(text), text);
  }
});

test('redaction never changes its input', () => {
  const input = { token: 'abc', inner: { password: 'x' } };
  redactSecrets(input);
  assert.deepEqual(input, { token: 'abc', inner: { password: 'x' } });
});

test('passwords by their ending, values named by a sibling (a rule constraint, a name/value pair), pass= and Cookie in text, and an @ inside a URL password are redacted', () => {
  const out = redactSecrets({
    env: { DB_PASS: 'hunter2-db', MYSQL_PWD: 'mysqlpw99', PGPASS: 'pg', PWD_DIR: '/home' },
    when: [{ arg: 'api_key', op: 'equals', value: 'sk-live-abc' }, { arg: 'branch', op: 'equals', value: 'main' }],
    headers: [{ name: 'password', value: 'p4ss' }],
    text: 'login with pass=hunter2 then Cookie: sid=abc123 at https://user:pa@ss@host/x',
  }) as Record<string, any>;
  assert.deepEqual(out.env, { DB_PASS: REDACTED, MYSQL_PWD: REDACTED, PGPASS: REDACTED, PWD_DIR: '/home' });
  assert.equal(out.when[0].value, REDACTED);
  assert.equal(out.when[1].value, 'main', 'a constraint on a plain argument is kept');
  assert.equal(out.headers[0].value, REDACTED);
  assert.doesNotMatch(out.text, /hunter2|abc123|pa@ss|ss@host/);
  assert.match(out.text, /https:\/\/user:\[REDACTED\]@host\/x/);
});

test('a server entry in an evidence pack: the value after a secret flag and secret URL query parameters are redacted, the rest kept', () => {
  const entry = {
    command: 'npx',
    args: ['-y', 'db-server', '--token', 'abc123secret', '--password', 'hunter2', '--token-file', '/etc/db/token', '--port', '5432'],
    url: 'https://api.example.com/mcp?key=sekrit&region=eu&X-Amz-Signature=f00&access_token=zzz',
  };
  assert.deepEqual(redactSecrets(entry), {
    command: 'npx',
    args: ['-y', 'db-server', '--token', REDACTED, '--password', REDACTED, '--token-file', '/etc/db/token', '--port', '5432'],
    url: `https://api.example.com/mcp?key=${REDACTED}&region=eu&X-Amz-Signature=${REDACTED}&access_token=${REDACTED}`,
  });
  assert.equal(redactText('see https://x.test/search?q=tokens&page=2'), 'see https://x.test/search?q=tokens&page=2', 'a parameter is judged by its name, not its value');
});
