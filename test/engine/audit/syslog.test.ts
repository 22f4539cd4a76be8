// Forwarding over TLS (RFC 5425: octet counting inside TLS) to real TLS receivers on loopback, with
// certificates made by `openssl` for this run: the receiver's certificate must chain to the CA file
// and carry the expected name; mutual TLS with a client certificate; and receivers switched while
// the log is open (settings or managed policy changed), without a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openAuditLog, type AuditLog } from '../../../src-main/engine/audit/index.js';
import { makeTestPki, tcpReceiver, tlsReceiver, until, type Receiver, type TestPki } from '../../helpers/syslog.js';
import { allow, freshPaths, makeCall } from './kit.js';

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => pki.remove());

async function withLog(options: Parameters<typeof openAuditLog>[1], run: (log: AuditLog, warnings: string[]) => Promise<void>) {
  const { paths, cleanup } = await freshPaths();
  const warnings: string[] = [];
  const log = await openAuditLog(paths, { ...options, onWarning: (m) => warnings.push(m) });
  try {
    await run(log, warnings);
  } finally {
    await log.close();
    await cleanup();
  }
}

describe('syslog over TLS', () => {
  let good: Receiver;
  let stranger: Receiver;
  before(async () => {
    good = await tlsReceiver({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) });
    stranger = await tlsReceiver({ cert: pki.read(pki.otherCert), key: pki.read(pki.otherKey) });
  });
  after(async () => {
    await good.close();
    await stranger.close();
  });

  test('a receiver whose certificate chains to caFile gets every record as an octet-counted RFC 5424 message carrying CEF', async () => {
    const before = good.messages.length;
    await withLog({ syslog: [{ host: '127.0.0.1', port: good.port, protocol: 'tls', caFile: pki.caFile, appName: 'warden-tls' }] }, async (log) => {
      await log.decided(makeCall(1), allow);
      await log.event('settings.changed', { keys: ['theme'] });
      await until('two messages over TLS', () => good.messages.length >= before + 2);
    });
    const got = good.messages.slice(before);
    assert.match(got[0]!, /^<\d+>1 \S+ \S+ warden-tls \d+ decision \[warden@32473 seq="1" hash="[0-9a-f]{64}"\] CEF:0\|Warden\|Warden\|/);
    assert.match(got[0]!, /cs1=files cs2Label=tool cs2=write_file act=allow/);
    assert.match(got[1]!, /settings\.changed/);
  });

  test('a receiver with a certificate from another CA gets nothing, and the warning says the certificate is not trusted', async () => {
    await withLog({ syslog: [{ host: '127.0.0.1', port: stranger.port, protocol: 'tls', caFile: pki.caFile }] }, async (log, warnings) => {
      await log.event('engine.started', {});
      await until('a warning', () => warnings.length > 0);
      assert.match(warnings[0]!, /^Syslog \(tls 127\.0\.0\.1:\d+\): .*(self[- ]signed|unable to (get|verify)|certificate)/i);
    });
    assert.equal(stranger.messages.length, 0, 'nothing was sent to an untrusted receiver');
  });

  test('without caFile only the system CAs are trusted, so a private CA is refused (no way to turn verification off)', async () => {
    await withLog({ syslog: [{ host: '127.0.0.1', port: good.port, protocol: 'tls' }] }, async (log, warnings) => {
      const before = good.messages.length;
      await log.event('engine.started', {});
      await until('a warning', () => warnings.length > 0);
      assert.match(warnings[0]!, /certificate/i);
      assert.equal(good.messages.length, before);
    });
  });

  test("the certificate must carry the expected name: serverName siem.test passes, wrong.test is refused", async () => {
    const before = good.messages.length;
    await withLog({ syslog: [{ host: '127.0.0.1', port: good.port, protocol: 'tls', caFile: pki.caFile, serverName: 'siem.test' }] }, async (log) => {
      await log.event('engine.started', {});
      await until('a message', () => good.messages.length > before);
    });
    await withLog({ syslog: [{ host: '127.0.0.1', port: good.port, protocol: 'tls', caFile: pki.caFile, serverName: 'wrong.test' }] }, async (log, warnings) => {
      const now = good.messages.length;
      await log.event('engine.started', {});
      await until('a warning', () => warnings.length > 0);
      assert.match(warnings[0]!, /wrong\.test|altnames|Hostname/i);
      assert.equal(good.messages.length, now);
    });
  });

  test('mutual TLS: a receiver that requires a client certificate accepts certFile + keyFile and refuses a client without one', async () => {
    const strict = await tlsReceiver({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey), ca: pki.read(pki.caFile), requestCert: true, rejectUnauthorized: true });
    try {
      await withLog({ syslog: [{ host: '127.0.0.1', port: strict.port, protocol: 'tls', caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey }] }, async (log) => {
        await log.event('engine.started', {});
        await until('a message', () => strict.messages.length > 0);
      });
      await withLog({ syslog: [{ host: '127.0.0.1', port: strict.port, protocol: 'tls', caFile: pki.caFile }] }, async (log) => {
        const now = strict.messages.length;
        await log.event('engine.started', {});
        await until('the receiver refusing the handshake', () => strict.refused.length > 0);
        assert.equal(strict.messages.length, now);
      });
    } finally {
      await strict.close();
    }
  });

  test('a CA file that cannot be read is a warning naming the file, and nothing is sent', async () => {
    await withLog({ syslog: [{ host: '127.0.0.1', port: good.port, protocol: 'tls', caFile: '/nonexistent/ca.pem' }] }, async (log, warnings) => {
      await log.event('engine.started', {});
      await until('a warning', () => warnings.length > 0);
      assert.match(warnings[0]!, /the CA file \/nonexistent\/ca\.pem cannot be read \(ENOENT\)/);
    });
  });
});

test('configure() switches receivers while the log is open: the old one gets nothing more, the new one the next records', async () => {
  const tcp = await tcpReceiver();
  const tls = await tlsReceiver({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) });
  try {
    await withLog({ syslog: [{ host: '127.0.0.1', port: tcp.port, protocol: 'tcp' }] }, async (log) => {
      await log.event('first', {});
      await until('the first record over TCP', () => tcp.messages.length === 1);
      log.configure({ syslog: [{ host: '127.0.0.1', port: tls.port, protocol: 'tls', caFile: pki.caFile }] });
      await log.event('second', {});
      await until('the second record over TLS', () => tls.messages.length === 1);
      assert.match(tls.messages[0]!, /\|second\|second\|/);
      log.configure({ syslog: [] });
      await log.event('third', {});
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(tcp.messages.length, 1);
      assert.equal(tls.messages.length, 1, 'forwarding off: nothing more is sent');
    });
  } finally {
    await tcp.close();
    await tls.close();
  }
});

test('configure() refuses a bad receiver and keeps the ones in force', async () => {
  await withLog({}, async (log) => {
    assert.throws(() => log.configure({ syslog: [{ host: '', port: 514, protocol: 'tcp' }] }), /needs a host/);
    assert.throws(() => log.configure({ retentionDays: -1 }), /retentionDays must be a whole number/);
  });
});

test('closing the log while its TCP receiver is still being connected to still delivers what was queued', async () => {
  const receiver = await tcpReceiver();
  try {
    const { paths, cleanup } = await freshPaths();
    const log = await openAuditLog(paths, { syslog: [{ host: '127.0.0.1', port: receiver.port, protocol: 'tcp' }] });
    // The first record starts the connection; close() comes before it is made.
    await log.decided(makeCall(1), allow);
    await log.close();
    await until('the queued record', () => receiver.messages.some((m) => m.includes('call-1')), 3000);
    await cleanup();
  } finally {
    await receiver.close();
  }
});
