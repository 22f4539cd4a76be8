// The times `--since`/`--until` and the query API take: read the same way whatever the machine's time zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTime } from '../../../src-main/engine/audit/time.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');

test('ISO times are UTC unless they name an offset; a date alone is its UTC midnight', () => {
  assert.equal(parseTime('2026-12-01T10:00:00', NOW), Date.parse('2026-12-01T10:00:00Z'));
  assert.equal(parseTime('2026-12-01T10:00', NOW), Date.parse('2026-12-01T10:00:00Z'));
  assert.equal(parseTime('2026-12-01T10:00:00+02:00', NOW), Date.parse('2026-12-01T08:00:00Z'));
  assert.equal(parseTime('2026-12-01', NOW), Date.parse('2026-12-01T00:00:00Z'));
});

test('a date alone as an until is the end of that day, so --since D --until D selects the day D', () => {
  assert.equal(parseTime('2026-12-01', NOW, 'end'), Date.parse('2026-12-02T00:00:00Z') - 1);
  assert.equal(parseTime('2026-12-01T10:00:00Z', NOW, 'end'), Date.parse('2026-12-01T10:00:00Z'), 'a time is that time');
  assert.equal(parseTime('2026-02-28', NOW, 'end'), Date.parse('2026-03-01T00:00:00Z') - 1);
});

test('ten digits are epoch seconds, more are milliseconds; ages count back from now', () => {
  assert.equal(parseTime('1764583200', NOW), 1764583200_000);
  assert.equal(parseTime('1764583200000', NOW), 1764583200_000);
  assert.equal(parseTime('24h', NOW), NOW - 86_400_000);
});

test('a day that does not exist is refused, not moved to another', () => {
  for (const bad of ['2026-02-30', '2026-13-01', '2026-04-31T10:00:00Z', 'yesterday']) {
    assert.throws(() => parseTime(bad, NOW), { code: 'AUDIT_BAD_TIME' }, bad);
  }
  assert.equal(parseTime('2028-02-29', NOW), Date.parse('2028-02-29T00:00:00Z'), 'a leap day is a day');
});
