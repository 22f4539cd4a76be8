// Where audit records are forwarded: a syslog receiver (a SIEM, or a relay in front of one). Used by
// the managed policy (audit.syslog) and by the person's own settings (auditSyslog).
import { z } from 'zod';

/** `udp` (RFC 5426), `tcp` (RFC 6587 octet counting) or `tls` (RFC 5425: TCP + TLS, octet counting, the receiver's certificate verified). */
export const SyslogProtocol = z.enum(['udp', 'tcp', 'tls']);
export type SyslogProtocol = z.infer<typeof SyslogProtocol>;

const PemFile = z.string().min(1).max(4096);

export const SyslogDestination = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    protocol: SyslogProtocol.default('tcp'),
    /** Syslog facility number (RFC 5424: 0..23). Default 13 (log audit). */
    facility: z.number().int().min(0).max(23).optional(),
    appName: z.string().min(1).max(48).optional(),
    /** tls: a PEM file with the CA certificate(s) the receiver's certificate must chain to. Default: the system's trusted CAs. */
    caFile: PemFile.optional(),
    /** tls: a PEM client certificate, for receivers that require mutual TLS (with keyFile). */
    certFile: PemFile.optional(),
    /** tls: the PEM private key of certFile. */
    keyFile: PemFile.optional(),
    /** tls: the name the receiver's certificate must carry. Default: host. */
    serverName: z.string().min(1).max(255).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.protocol !== 'tls') {
      for (const key of ['caFile', 'certFile', 'keyFile', 'serverName'] as const) {
        if (d[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies only to protocol "tls", not "${d.protocol}"` });
      }
    }
    if ((d.certFile === undefined) !== (d.keyFile === undefined)) {
      ctx.addIssue({ code: 'custom', path: [d.certFile === undefined ? 'certFile' : 'keyFile'], message: 'certFile and keyFile go together (a client certificate and its key)' });
    }
  });
export type SyslogDestination = z.infer<typeof SyslogDestination>;

/** The same receiver (one connection per host, port and protocol). */
export const sameReceiver = (a: Pick<SyslogDestination, 'host' | 'port' | 'protocol'>, b: Pick<SyslogDestination, 'host' | 'port' | 'protocol'>) =>
  a.host === b.host && a.port === b.port && a.protocol === b.protocol;
