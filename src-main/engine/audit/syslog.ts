// Forwards audit records to a SIEM as RFC 5424 syslog messages carrying CEF, over UDP (one message
// per datagram), TCP (octet-counting framing, RFC 6587) or TLS (RFC 5425: the same octet counting
// inside a TLS connection whose server certificate is verified against the given CA file or the
// system's CAs, and its name against the host; no option turns verification off). Best effort and
// never in the way of a call: the local log is the record of truth; failures are counted and
// reported as warnings, and stream messages wait in a bounded queue until the receiver is back.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { AuditRecord } from './record.js';
import { syslogMessage } from './formats.js';

export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp' | 'tls';
  facility?: number;
  appName?: string;
  /** tls: PEM file of the CA(s) the receiver's certificate must chain to (default: the system's CAs). */
  caFile?: string;
  /** tls: PEM client certificate and key, for receivers that require mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** tls: the name the receiver's certificate must carry (default: host). */
  serverName?: string;
}

const MAX_QUEUE = 10_000;
const FIRST_RETRY_MS = 1000;
/** How long close() waits for a connection still being made, to deliver what it holds. */
const CLOSE_WAIT_MS = 3000;
const MAX_RETRY_MS = 30_000;
/** The largest UDP payload over IPv4 (65,535 less the IP and UDP headers); a bigger send fails outright. */
export const MAX_DATAGRAM_BYTES = 65_507;

/**
 * A message cut to fit one datagram, at a UTF-8 character boundary. The header and the structured data
 * (seq and hash) come first, so a cut message still names the record in the local log.
 */
export function fitDatagram(message: string, max = MAX_DATAGRAM_BYTES): { bytes: Buffer; cut: boolean } {
  const bytes = Buffer.from(message);
  if (bytes.length <= max) return { bytes, cut: false };
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // never inside a multi-byte character
  return { bytes: bytes.subarray(0, end), cut: true };
}

const label = (t: SyslogTarget) => `${t.protocol} ${t.host}:${t.port}`;

/** The PEM files a TLS target names, read now (so a renewed CA or client certificate is picked up at the next connection). */
function tlsFiles(target: SyslogTarget): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (what: string, path: string | undefined) => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`the ${what} file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  return { ca: read('CA', target.caFile), cert: read('client certificate', target.certFile), key: read('client key', target.keyFile) };
}

export class SyslogForwarder {
  /** Messages dropped because the target was unreachable for too long. */
  dropped = 0;
  sent = 0;
  /** UDP messages cut to fit one datagram (sent, but not whole). */
  truncated = 0;
  private udp: UdpSocket | undefined;
  private stream: Socket | TLSSocket | undefined;
  private connecting = false;
  private connectingSocket: Socket | TLSSocket | undefined;
  private queue: string[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;
  private readonly host = hostname();

  constructor(
    readonly target: SyslogTarget,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  send(records: AuditRecord[]): void {
    if (this.closed) return;
    // One record that cannot be framed costs only itself, never the others of its batch.
    const messages: string[] = [];
    for (const record of records) {
      try {
        messages.push(syslogMessage(record, { hostname: this.host, facility: this.target.facility, appName: this.target.appName }));
      } catch (error) {
        this.dropped += 1;
        this.onWarning(`Syslog (${label(this.target)}): record ${record.seq} could not be framed and was not sent: ${(error as Error).message}`);
      }
    }
    if (this.target.protocol === 'udp') this.sendUdp(messages);
    else this.sendStream(messages);
  }

  private sendUdp(messages: string[]): void {
    if (!this.udp) {
      this.udp = createSocket(this.target.host.includes(':') ? 'udp6' : 'udp4');
      this.udp.on('error', (error) => this.onWarning(`Syslog (${label(this.target)}): ${error.message}`));
      this.udp.unref();
    }
    for (const message of messages) {
      const { bytes, cut } = fitDatagram(message);
      if (cut) {
        this.truncated += 1;
        this.onWarning(`Syslog (${label(this.target)}): a ${Buffer.byteLength(message)}-byte message was cut to ${bytes.length} bytes to fit one UDP datagram; tcp or tls carry it whole`);
      }
      this.udp.send(bytes, this.target.port, this.target.host, (error) => {
        if (error) {
          this.dropped += 1;
          this.onWarning(`Syslog (${label(this.target)}): ${error.message}`);
        } else {
          this.sent += 1;
        }
      });
    }
  }

  private sendStream(messages: string[]): void {
    for (const message of messages) this.queue.push(`${Buffer.byteLength(message)} ${message}`);
    if (this.queue.length > MAX_QUEUE) {
      const excess = this.queue.length - MAX_QUEUE;
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
    this.pump();
  }

  private open(): Socket | TLSSocket {
    const { host, port } = this.target;
    if (this.target.protocol !== 'tls') return connect({ host, port });
    const files = tlsFiles(this.target);
    // The certificate is checked against servername when set (SNI needs a name), else against host (an IP address against its IP entries).
    const servername = this.target.serverName ?? (isIP(host) ? undefined : host);
    return tlsConnect({
      host,
      port,
      ...files,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0) return;
    if (!this.stream) {
      if (this.connecting || this.retryTimer) return;
      this.connecting = true;
      let socket: Socket | TLSSocket;
      try {
        socket = this.open();
      } catch (error) {
        this.connecting = false;
        this.onWarning(`Syslog (${label(this.target)}): ${(error as Error).message}`);
        this.retryLater();
        return;
      }
      socket.setNoDelay(true);
      this.connectingSocket = socket;
      socket.on(this.target.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        this.connecting = false;
        this.connectingSocket = undefined;
        this.retryMs = FIRST_RETRY_MS;
        this.stream = socket;
        if (!this.closed) return this.pump();
        // Closed while connecting: deliver what was queued, then end.
        socket.end(this.queue.join(''));
        this.sent += this.queue.length;
        this.queue = [];
      });
      socket.on('error', (error) => this.onWarning(`Syslog (${label(this.target)}): ${error.message}`));
      socket.on('close', () => {
        if (this.connectingSocket === socket) this.connectingSocket = undefined;
        this.connecting = false;
        if (this.stream === socket) this.stream = undefined;
        this.retryLater();
      });
      return;
    }
    const batch = this.queue;
    this.queue = [];
    this.stream.write(batch.join(''));
    this.sent += batch.length;
  }

  private retryLater(): void {
    if (this.closed || this.queue.length === 0 || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  /** Flushes what the stream connection holds and closes the sockets (one still connecting gets a few seconds). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.udp?.close();
    const connecting = this.connectingSocket;
    if (connecting) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          connecting.destroy();
          resolve();
        }, CLOSE_WAIT_MS);
        connecting.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const stream = this.stream;
    if (stream && !stream.destroyed) await new Promise<void>((resolve) => stream.end(resolve));
  }
}
