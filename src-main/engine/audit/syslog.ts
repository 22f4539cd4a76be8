// Forwards audit records to a SIEM as RFC 5424 syslog messages carrying CEF, over UDP (one message
// per datagram) or TCP (octet-counting framing, RFC 6587). Best effort and never in the way of a
// call: the local log is the record of truth; failures are counted and reported as warnings.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { AuditRecord } from './record.js';
import { syslogMessage } from './formats.js';

export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
  facility?: number;
  appName?: string;
}

const MAX_QUEUE = 10_000;

export class SyslogForwarder {
  /** Messages dropped because the target was unreachable for too long. */
  dropped = 0;
  sent = 0;
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private connecting = false;
  private queue: string[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly host = hostname();

  constructor(
    readonly target: SyslogTarget,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  send(records: AuditRecord[]): void {
    if (this.closed) return;
    const messages = records.map((record) => syslogMessage(record, { hostname: this.host, facility: this.target.facility, appName: this.target.appName }));
    if (this.target.protocol === 'udp') this.sendUdp(messages);
    else this.sendTcp(messages);
  }

  private sendUdp(messages: string[]): void {
    if (!this.udp) {
      this.udp = createSocket(this.target.host.includes(':') ? 'udp6' : 'udp4');
      this.udp.on('error', (error) => this.onWarning(`Syslog (udp ${this.target.host}:${this.target.port}): ${error.message}`));
      this.udp.unref();
    }
    for (const message of messages) {
      this.udp.send(Buffer.from(message), this.target.port, this.target.host, (error) => {
        if (error) {
          this.dropped += 1;
          this.onWarning(`Syslog (udp ${this.target.host}:${this.target.port}): ${error.message}`);
        } else {
          this.sent += 1;
        }
      });
    }
  }

  private sendTcp(messages: string[]): void {
    for (const message of messages) this.queue.push(`${Buffer.byteLength(message)} ${message}`);
    if (this.queue.length > MAX_QUEUE) {
      const excess = this.queue.length - MAX_QUEUE;
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0) return;
    if (!this.tcp) {
      if (this.connecting || this.retryTimer) return;
      this.connecting = true;
      const socket = connect({ host: this.target.host, port: this.target.port });
      socket.setNoDelay(true);
      socket.on('connect', () => {
        this.connecting = false;
        this.tcp = socket;
        this.pump();
      });
      socket.on('error', (error) => this.onWarning(`Syslog (tcp ${this.target.host}:${this.target.port}): ${error.message}`));
      socket.on('close', () => {
        this.connecting = false;
        if (this.tcp === socket) this.tcp = undefined;
        if (!this.closed && this.queue.length > 0) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.pump();
          }, 1000);
          this.retryTimer.unref();
        }
      });
      return;
    }
    const batch = this.queue;
    this.queue = [];
    this.tcp.write(batch.join(''));
    this.sent += batch.length;
  }

  /** Flushes what the TCP connection holds and closes the sockets. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.udp?.close();
    const tcp = this.tcp;
    if (tcp) await new Promise<void>((resolve) => tcp.end(resolve));
  }
}
