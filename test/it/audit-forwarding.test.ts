// Managed policy requires audit forwarding: a real engine forwards its audit records to real syslog
// listeners on loopback (TCP with octet counting, UDP, and TLS with a throwaway CA) started here, as RFC 5424 carrying CEF; and
// a managed "payload capture off" wins over a server configured to capture.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { EngineClient } from '../../src-main/cli/engineClient.js';
import { ServerStore } from '../../src-main/engine/config/servers.js';
import { startEngine, type Engine } from '../../src-main/engine/engine.js';
import { TokenStore } from '../../src-main/engine/gateway/tokens.js';
import { dataPaths } from '../../src-main/engine/paths.js';
import { servers, tempDir } from '../helpers/engine.js';
import { makeTestPki, tlsReceiver, type Receiver, type TestPki } from '../helpers/syslog.js';

/** A TCP syslog receiver (RFC 6587 octet counting): collects whole messages. */
function tcpListener(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const space = buffer.indexOf(' ');
        if (space < 0) break;
        const length = Number(buffer.slice(0, space));
        if (!Number.isInteger(length) || Buffer.byteLength(buffer.slice(space + 1)) < length) break;
        const body = Buffer.from(buffer.slice(space + 1)).subarray(0, length).toString();
        messages.push(body);
        buffer = buffer.slice(space + 1 + body.length);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, messages })));
}

function udpListener(): Promise<{ socket: UdpSocket; port: number; messages: string[] }> {
  const messages: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (m) => messages.push(m.toString()));
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({ socket, port: socket.address().port, messages })));
}

async function until(what: string, check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('audit forwarding required by managed policy', () => {
  let tcp: Awaited<ReturnType<typeof tcpListener>>;
  let udp: Awaited<ReturnType<typeof udpListener>>;
  let data: ReturnType<typeof tempDir>;
  let engine: Engine;
  let client: Client;
  let pki: TestPki;
  let tls: Receiver;

  before(async () => {
    tcp = await tcpListener();
    udp = await udpListener();
    pki = makeTestPki();
    tls = await tlsReceiver({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) });
    data = tempDir('warden-it-audit-');
    const policyPath = join(data.dir, 'managed-policy.json');
    // The server was set up to capture payloads before IT rolled out the policy.
    new ServerStore(dataPaths(data.dir), { permit: () => undefined }).add(servers.fixture('faulty.mjs', 'faulty', [], { capturePayloads: true }));
    writeFileSync(
      policyPath,
      JSON.stringify({
        version: 1,
        managedBy: 'Example Corp IT',
        rules: [{ id: 'ok-tool', effect: 'allow', server: 'faulty', tool: 'ok' }],
        settings: { allowPayloadCapture: false },
        audit: {
          syslog: [
            { host: '127.0.0.1', port: tcp.port, protocol: 'tcp', appName: 'warden-fleet' },
            { host: '127.0.0.1', port: udp.port, protocol: 'udp' },
            // RFC 5425: a TLS receiver whose certificate (throwaway, made for this run) chains to the CA file IT deploys.
            { host: '127.0.0.1', port: tls.port, protocol: 'tls', caFile: pki.caFile, serverName: 'siem.test' },
          ],
          minRetentionDays: 400,
        },
      }),
    );
    engine = await startEngine({ dataDir: data.dir, port: 0, managedPolicy: { path: policyPath, pollMs: 100 } });
    const token = new TokenStore(dataPaths(data.dir)).clientToken('laptop-42');
    client = new SdkClient({ name: 'it-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${engine.url}/mcp/faulty`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    await client.listTools();
  });
  after(async () => {
    await client?.close().catch(() => undefined);
    await engine?.stop();
    tcp?.server.close();
    udp?.socket.close();
    await tls?.close();
    pki?.remove();
    data?.remove();
  });

  test('a call is forwarded to every receiver (TCP, UDP, TLS) as RFC 5424 + CEF, with its server, tool and decision', async () => {
    const r = await client.callTool({ name: 'ok', arguments: { text: 'secret-value-123' } });
    assert.ok(!r.isError, JSON.stringify(r));
    const forCall = (m: string) => m.includes('cs2=ok') && / outcome /.test(m);
    await until('the TCP receiver to get the call', () => tcp.messages.some(forCall));
    await until('the UDP receiver to get the call', () => udp.messages.some(forCall));
    await until('the TLS receiver to get the call', () => tls.messages.some(forCall));
    const line = tcp.messages.find(forCall)!;
    assert.match(line, /^<\d+>1 \d{4}-\d\d-\d\dT[^ ]+ \S+ warden-fleet \d+ outcome \[warden@32473 seq="\d+" hash="[0-9a-f]+"\] CEF:0\|/);
    assert.match(line, /cs1=faulty/);
    assert.match(line, /suser=it-test/);
    assert.match(tcp.messages.find((m) => / decision /.test(m) && m.includes('cs2=ok'))!, /cs3=managed:ok-tool/);
    const pri = Number(/^<(\d+)>/.exec(line)![1]);
    assert.equal(Math.floor(pri / 8), 13, 'facility 13 (log audit) unless the policy says otherwise');
    assert.ok(udp.messages.some((m) => / decision /.test(m) && m.includes('cs2=ok')), 'the decision record too');
    for (const m of [...tcp.messages, ...udp.messages, ...tls.messages]) assert.ok(!m.includes('secret-value-123'), 'no payload leaves the machine');
  });

  test("managed payload capture off wins over the server's capture setting", async () => {
    const api = new EngineClient(engine.url, new TokenStore(dataPaths(data.dir)).adminToken());
    const page = await api.call('audit.query', { order: 'newest', limit: 50 });
    const records = page.records.filter((r) => r.tool === 'ok');
    assert.ok(records.length >= 2, 'decision and outcome recorded');
    for (const r of records) {
      assert.equal(r.args, undefined);
      assert.equal(r.result, undefined);
    }
    await assert.rejects(api.call('servers.add', servers.fixture('faulty.mjs', 'capturing', [], { capturePayloads: true }) as never), /payload capture off/);
    const view = await api.call('policy.managed', {});
    assert.deepEqual(view.settings.allowPayloadCapture, { value: false, source: 'managed', locked: true });
    assert.equal(view.audit.syslog.source, 'managed');
    assert.equal(view.audit.syslog.value.length, 3);
    assert.deepEqual(view.audit.retentionDays, { value: 400, source: 'managed', minimum: 400 });
  });
});
