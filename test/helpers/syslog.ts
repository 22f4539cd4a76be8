// Syslog receivers for tests, on loopback: TCP and TLS with RFC 5425/6587 octet counting (collecting
// whole messages), and throwaway certificates made with the `openssl` CLI at test time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

/** Splits an octet-counted stream (`<length> <message>`) into messages. */
function framer(messages: string[]) {
  let buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const space = buffer.indexOf(0x20);
      if (space < 0) return;
      const length = Number(buffer.subarray(0, space).toString());
      if (!Number.isInteger(length) || buffer.length < space + 1 + length) return;
      messages.push(buffer.subarray(space + 1, space + 1 + length).toString());
      buffer = buffer.subarray(space + 1 + length);
    }
  };
}

export interface Receiver {
  port: number;
  messages: string[];
  /** TLS: handshakes that failed on the receiver's side (a client without a good certificate, say). */
  refused: string[];
  close(): Promise<void>;
}

function listen(server: Server, messages: string[], refused: string[]): Promise<Receiver> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        messages,
        refused,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

export function tcpReceiver(): Promise<Receiver> {
  const messages: string[] = [];
  return listen(createServer((socket) => socket.on('data', framer(messages))), messages, []);
}

export function tlsReceiver(options: TlsOptions): Promise<Receiver> {
  const messages: string[] = [];
  const refused: string[] = [];
  const server = createTlsServer(options, (socket) => socket.on('data', framer(messages)));
  server.on('tlsClientError', (error) => refused.push(error.message));
  return listen(server, messages, refused);
}

export interface TestPki {
  dir: string;
  /** A CA made for this run, and a receiver certificate it signed for 127.0.0.1 and localhost. */
  caFile: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate from the same CA (mutual TLS). */
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA and a receiver certificate from it (one Warden must not trust). */
  otherCaFile: string;
  otherCert: string;
  otherKey: string;
  read(file: string): Buffer;
  remove(): void;
}

/** Throwaway certificates (EC P-256, valid one day), made with `openssl` for this test run only. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'warden-pki-'));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string, cn: string) =>
    ssl('req', '-x509', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`), '-days', '1', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = (name: string, by: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${by}.pem`), '-CAkey', f(`${by}.key`), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '1', '-extfile', f(`${name}.ext`));
  };
  ca('ca', 'Warden test CA (throwaway)');
  ca('other-ca', 'Some other CA (throwaway)');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:siem.test\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('other', 'other-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  return {
    dir,
    caFile: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
    otherCaFile: f('other-ca.pem'),
    otherCert: f('other.pem'),
    otherKey: f('other.key'),
    read: (file) => readFileSync(file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
