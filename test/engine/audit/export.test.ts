// Export formats parsed back, and syslog forwarding (RFC 5424 + CEF) to real UDP and TCP listeners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { checkLine } from '../../../src-main/engine/audit/chain.js';
import { CSV_COLUMNS } from '../../../src-main/engine/audit/formats.js';
import { openAuditLog, type AuditLog } from '../../../src-main/engine/audit/index.js';
import { allow, deny, freshPaths, makeCall } from './kit.js';

async function collect(log: AuditLog, options: Parameters<AuditLog['export']>[0]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const result = await log.export(options, out);
  out.end();
  const text = Buffer.concat(chunks).toString('utf8');
  assert.ok(result.records >= 0);
  return text;
}

/** RFC 4180: quoted fields with doubled quotes, commas and newlines inside quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  return rows;
}

/** CEF: 7 header fields split on unescaped pipes, then key=value pairs with \= \\ \n escapes. */
function parseCef(line: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i += 1) {
    const c = line[i]!;
    if (c === '\\') field += line[++i];
    else if (c === '|') header.push(field), (field = '');
    else field += c;
  }
  const rest = line.slice(i);
  const ext: Record<string, string> = {};
  const keys = [...rest.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)];
  keys.forEach((m, k) => {
    const start = m.index! + m[0].length;
    const end = k + 1 < keys.length ? keys[k + 1]!.index! : rest.length;
    ext[m[1]!] = rest.slice(start, end).replace(/\\(.)/g, (_x, ch: string) => (ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch));
  });
  return { header, ext };
}

async function seeded(extra: Parameters<typeof openAuditLog>[1] = {}) {
  const { paths, cleanup } = await freshPaths();
  let now = Date.parse('2026-06-01T08:00:00Z');
  const log = await openAuditLog(paths, { now: () => now, ...extra });
  const tricky = makeCall(1, { tool: '=HYPERLINK("http://x")', client: { id: 'client-a', name: 'Cursor, "beta"', version: '1' } });
  await log.decided(tricky, { ...deny, reasons: ['line one\nline two', 'has | pipe and = sign'] });
  now += 3_600_000;
  await log.decided(makeCall(2), allow);
  await log.finished(makeCall(2), allow, { status: 'ok', durationMs: 42 });
  now += 3_600_000;
  await log.event('engine.stopped', { pid: 7 });
  return { paths, log, cleanup };
}

test('JSONL export is the records themselves, each one still checking out', async () => {
  const { log, cleanup } = await seeded();
  try {
    const lines = (await collect(log, { format: 'jsonl' })).trim().split('\n');
    assert.equal(lines.length, 4);
    for (const line of lines) assert.equal(checkLine(line).problem, undefined);
    assert.equal(JSON.parse(lines[0]!).tool, '=HYPERLINK("http://x")');
  } finally {
    await log.close();
    await cleanup();
  }
});

test('--since/--until select by record time', async () => {
  const { log, cleanup } = await seeded();
  try {
    const lines = (await collect(log, { format: 'jsonl', since: '2026-06-01T08:30:00Z', until: '2026-06-01T09:30:00Z' })).trim().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).seq), [2, 3]);
    const day = (await collect(log, { format: 'jsonl', since: '2026-06-01', until: '2026-06-01' })).trim().split('\n');
    assert.deepEqual(day.map((l) => JSON.parse(l).seq), [1, 2, 3, 4], 'a date alone as --until takes in the whole day');
    assert.equal(await collect(log, { format: 'jsonl', until: '2026-05-31' }), '', 'and no more');
    await assert.rejects(collect(log, { format: 'jsonl', since: 'yesterday' }), { code: 'AUDIT_BAD_TIME' });
    await assert.rejects(collect(log, { format: 'xml' as 'csv' }), { code: 'AUDIT_BAD_OPTION' });
  } finally {
    await log.close();
    await cleanup();
  }
});

test('CSV export parses back: header, quoting, newlines, and formula cells defused', async () => {
  const { log, cleanup } = await seeded();
  try {
    const rows = parseCsv(await collect(log, { format: 'csv' }));
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, 5);
    const first = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    assert.equal(first.seq, '1');
    assert.equal(first.client_name, 'Cursor, "beta"');
    assert.equal(first.tool, `'=HYPERLINK("http://x")`);
    assert.equal(first.reasons, 'line one\nline two | has | pipe and = sign');
    assert.equal(first.effect, 'deny');
    assert.match(first.hash!, /^[0-9a-f]{64}$/);
    const outcome = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[3]![i]]));
    assert.equal(outcome.duration_ms, '42');
    const event = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[4]![i]]));
    assert.equal(event.event, 'engine.stopped');
    assert.deepEqual(JSON.parse(event.data!), { pid: 7 });
  } finally {
    await log.close();
    await cleanup();
  }
});

test('CSV export defuses formulas behind leading blanks and in full-width forms, and leaves plain text alone', async () => {
  const { paths, cleanup } = await freshPaths();
  const log = await openAuditLog(paths, {});
  try {
    const names = ['  =1+1', '\u3000+SUM(A1)', '\uff1dcmd', '\t-2', 'plain name', 'a = b'];
    for (const [i, name] of names.entries()) await log.decided(makeCall(i + 1, { client: { id: `c${i}`, name, version: '1' } }), allow);
    const rows = parseCsv(await collect(log, { format: 'csv' })).slice(1);
    const column = CSV_COLUMNS.indexOf('client_name');
    assert.deepEqual(rows.map((r) => r[column]), ["'  =1+1", "'\u3000+SUM(A1)", "'\uff1dcmd", "'\t-2", 'plain name', 'a = b']);
  } finally {
    await log.close();
    await cleanup();
  }
});

test('CEF export parses back with escaped header and extension values', async () => {
  const { log, cleanup } = await seeded();
  try {
    const lines = (await collect(log, { format: 'cef' })).trim().split('\n');
    assert.equal(lines.length, 4);
    const first = parseCef(lines[0]!);
    assert.deepEqual(first.header.slice(0, 5), ['CEF:0', 'Warden', 'Warden', '0.1.0', 'call.decided']);
    assert.equal(first.header[5], 'Tool call denied');
    assert.equal(first.header[6], '6');
    assert.equal(first.ext.act, 'deny');
    assert.equal(first.ext.cs2, '=HYPERLINK("http://x")');
    assert.equal(first.ext.cs2Label, 'tool');
    assert.equal(first.ext.msg, 'line one\nline two | has | pipe and = sign');
    assert.equal(first.ext.suser, 'Cursor, "beta"');
    assert.equal(first.ext.rt, String(Date.parse('2026-06-01T08:00:00Z')));
    const outcome = parseCef(lines[2]!);
    assert.equal(outcome.ext.outcome, 'ok');
    assert.equal(outcome.ext.cn2, '42');
  } finally {
    await log.close();
    await cleanup();
  }
});

test('a call the client cancelled is named so in CEF, at the severity of a finished call, not of a refusal or an error', async () => {
  const { paths, cleanup } = await freshPaths();
  const log = await openAuditLog(paths, {});
  try {
    const waited = makeCall(1);
    const cancelledWaiting = { ...deny, ruleId: 'tier:standard/medium', status: 'cancelled' as const, approver: 'client', reasons: ['The call was cancelled while it waited for approval.'] };
    await log.decided(waited, cancelledWaiting);
    await log.finished(waited, cancelledWaiting, { status: 'cancelled', durationMs: 5 });
    const forwarded = makeCall(2);
    await log.decided(forwarded, allow);
    await log.finished(forwarded, allow, { status: 'cancelled', durationMs: 9 });
    await log.decided(makeCall(3), deny);
    const [decision, outcome, , forwardedOutcome, refusal] = (await collect(log, { format: 'cef' })).trim().split('\n').map(parseCef);
    assert.deepEqual(decision!.header.slice(5), ['Tool call cancelled by the client while it waited for approval', '3']);
    assert.deepEqual(outcome!.header.slice(5), ['Tool call finished: cancelled', '3']);
    assert.equal(outcome!.ext.outcome, 'cancelled');
    assert.deepEqual(forwardedOutcome!.header.slice(5), ['Tool call finished: cancelled', '3']);
    assert.deepEqual(refusal!.header.slice(5), ['Tool call denied', '6']);
  } finally {
    await log.close();
    await cleanup();
  }
});

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[warden@32473 seq="(\d+)" hash="([0-9a-f]{64})"\]) (CEF:0\|.*)$/s;

test('syslog over UDP: one RFC 5424 datagram per record, CEF inside', async () => {
  const socket = createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  const { log, cleanup } = await seeded({ syslog: [{ host: '127.0.0.1', port, protocol: 'udp' }] });
  try {
    for (let t = 0; t < 100 && got.length < 4; t += 1) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got.length, 4);
    const parsed = got.map((m) => RFC5424.exec(m));
    assert.ok(parsed.every(Boolean), got.join('\n'));
    assert.deepEqual(parsed.map((p) => Number(p![8])), [1, 2, 3, 4]);
    assert.equal(Number(parsed[0]![1]), 13 * 8 + 4, 'facility log audit, severity warning for a denial');
    assert.equal(parsed[0]![2], '2026-06-01T08:00:00.000Z');
    assert.equal(parsed[0]![6], 'decision');
    assert.equal(parseCef(parsed[0]![10]!).ext.act, 'deny');
  } finally {
    await log.close();
    socket.close();
    await cleanup();
  }
});

test('syslog over UDP: a record too big for one datagram is cut at a character boundary and still names its record, with a warning', async () => {
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  const { paths, cleanup } = await freshPaths();
  const warnings: string[] = [];
  const log = await openAuditLog(paths, { syslog: [{ host: '127.0.0.1', port, protocol: 'udp' }], onWarning: (m) => warnings.push(m) });
  try {
    await log.decided(makeCall(1), { ...deny, reasons: ['\u00e9'.repeat(40_000)] }); // 80,000 bytes of two-byte characters
    await log.decided(makeCall(2), allow);
    for (let t = 0; t < 100 && got.length < 2; t += 1) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got.length, 2, 'both records arrive; before, the big one failed with EMSGSIZE and was dropped');
    assert.ok(got[0]!.length <= 65_507 && got[0]!.length > 60_000, `cut to one datagram: ${got[0]!.length} bytes`);
    const text = got[0]!.toString('utf8');
    assert.ok(!text.includes('\ufffd'), 'not cut inside a character');
    assert.match(text, /^<\d+>1 \S+ \S+ \S+ \S+ decision \[warden@32473 seq="1" hash="[0-9a-f]{64}"\] CEF:0\|/);
    assert.match(got[1]!.toString('utf8'), /seq="2"/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^Syslog \(udp 127\.0\.0\.1:\d+\): a \d+-byte message was cut to \d+ bytes to fit one UDP datagram; tcp or tls carry it whole$/);
  } finally {
    await log.close();
    socket.close();
    await cleanup();
  }
});

test('a record whose client name is not a string (written before Warden checked it) still exports and still reaches syslog, with the rest of its batch', async () => {
  const socket = createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  const { paths, cleanup } = await freshPaths();
  const log = await openAuditLog(paths, { syslog: [{ host: '127.0.0.1', port, protocol: 'udp' }] });
  try {
    const odd = { id: 'odd', name: { toString: 1, valueOf: 1 } as unknown as string, version: ['1'] as unknown as string };
    await Promise.all([log.decided(makeCall(1, { client: odd }), allow), log.decided(makeCall(2), allow)]);
    for (let t = 0; t < 100 && got.length < 2; t += 1) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got.length, 2, 'before, framing the odd record threw and its whole batch was never sent');
    assert.match(got.find((m) => / seq="1" /.test(m))!, /suser=\{"toString":1,"valueOf":1\}/);
    const csv = parseCsv(await collect(log, { format: 'csv' }));
    assert.equal(csv[1]![CSV_COLUMNS.indexOf('client_name')], '{"toString":1,"valueOf":1}');
    assert.match(await collect(log, { format: 'cef' }), /suid=odd/);
  } finally {
    await log.close();
    socket.close();
    await cleanup();
  }
});

test('syslog over TCP: octet-counted frames on one connection', async () => {
  let data = '';
  const server = createServer((conn) => conn.on('data', (c: Buffer) => (data += c.toString('utf8'))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const { log, cleanup } = await seeded({ syslog: [{ host: '127.0.0.1', port, protocol: 'tcp' }] });
  try {
    const frames: string[] = [];
    for (let t = 0; t < 100; t += 1) {
      frames.length = 0;
      let rest = data;
      for (;;) {
        const m = /^(\d+) /.exec(rest);
        if (!m) break;
        const len = Number(m[1]);
        const body = Buffer.from(rest.slice(m[0].length));
        if (body.length < len) break;
        const frame = body.subarray(0, len).toString('utf8');
        frames.push(frame);
        rest = body.subarray(len).toString('utf8');
      }
      if (frames.length >= 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(frames.length, 4);
    const parsed = frames.map((f) => RFC5424.exec(f));
    assert.ok(parsed.every(Boolean));
    assert.deepEqual(parsed.map((p) => p![6]), ['decision', 'decision', 'outcome', 'event']);
    assert.equal(parseCef(parsed[3]![10]!).header[4], 'engine.stopped');
  } finally {
    await log.close();
    server.close();
    await cleanup();
  }
});
