// What managed policy requires of the audit log: forwarding to its syslog receivers, a minimum
// retention, and payload capture off. Applied to the options the audit log is opened with. Pure.
import type { ManagedPolicy } from '../../../shared/managed.js';
import type { AuditLogOptions, SyslogTarget } from '../audit/index.js';

export const DEFAULT_RETENTION_DAYS = 365;
/** RFC 5424 facility 13: log audit. */
export const MANAGED_SYSLOG_FACILITY = 13;

export function managedSyslogTargets(policy: ManagedPolicy | undefined): SyslogTarget[] {
  return (policy?.audit.syslog ?? []).map((d) => ({ host: d.host, port: d.port, protocol: d.protocol, facility: d.facility ?? MANAGED_SYSLOG_FACILITY, appName: d.appName ?? 'warden' }));
}

/** Retention in force: the person's (0 keeps everything), raised to the managed minimum. */
export function effectiveRetentionDays(userDays: number | undefined, policy: ManagedPolicy | undefined): number {
  const days = userDays ?? DEFAULT_RETENTION_DAYS;
  const min = policy?.audit.minRetentionDays;
  return min !== undefined && days !== 0 && days < min ? min : days;
}

/**
 * The audit log's options under managed policy. `policy` is read again for every payload-capture
 * question, so a policy that turns capture off takes effect without reopening the log; forwarding
 * and retention take the policy in force when the log is opened.
 */
export function managedAuditOptions(base: AuditLogOptions, policy: () => ManagedPolicy | undefined): AuditLogOptions {
  const now = policy();
  const targets = [...(base.syslog ?? [])];
  for (const t of managedSyslogTargets(now)) {
    if (!targets.some((x) => x.host === t.host && x.port === t.port && x.protocol === t.protocol)) targets.push(t);
  }
  const capture = base.capturePayloads;
  return {
    ...base,
    syslog: targets,
    retentionDays: effectiveRetentionDays(base.retentionDays, now),
    capturePayloads: (server) => policy()?.settings.allowPayloadCapture !== false && (capture ? capture(server) : false),
  };
}
