// What managed policy requires of the audit log: forwarding to its syslog receivers, a minimum
// retention, and payload capture off, over the person's own audit settings. Pure.
import type { ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import type { SyslogDestination } from '../../../shared/syslog.js';
import type { AuditLogOptions, SyslogTarget } from '../audit/index.js';

export const DEFAULT_RETENTION_DAYS = 365;
/** RFC 5424 facility 13: log audit. */
export const MANAGED_SYSLOG_FACILITY = 13;

export function syslogTarget(d: SyslogDestination): SyslogTarget {
  return { ...d, facility: d.facility ?? MANAGED_SYSLOG_FACILITY, appName: d.appName ?? 'warden' };
}

export function managedSyslogTargets(policy: ManagedPolicy | undefined): SyslogTarget[] {
  return (policy?.audit.syslog ?? []).map(syslogTarget);
}

/** The receivers in force: managed policy's when it names any (the person's are then locked out), else the person's. */
export function effectiveSyslogTargets(user: SyslogDestination[] | undefined, policy: ManagedPolicy | undefined): SyslogTarget[] {
  const managed = managedSyslogTargets(policy);
  return managed.length ? managed : (user ?? []).map(syslogTarget);
}

/** Retention in force: the person's (0 keeps everything), raised to the managed minimum. */
export function effectiveRetentionDays(userDays: number | undefined, policy: ManagedPolicy | undefined): number {
  const days = userDays ?? DEFAULT_RETENTION_DAYS;
  const min = policy?.audit.minRetentionDays;
  return min !== undefined && days !== 0 && days < min ? min : days;
}

/** The person's audit settings (settings.json); undefined when the file cannot be read. */
export interface UserAudit {
  auditRetentionDays?: number;
  auditRetentionMaxMB?: number;
  auditSyslog?: SyslogDestination[];
}

/**
 * Forwarding and retention in force: what the open log is configured with, at start and after each
 * change. While the managed policy file is broken its minimum retention is unknown, so nothing is
 * removed (fail closed: a record kept too long can be removed later, one removed cannot come back).
 */
export function auditConfig(
  user: UserAudit | undefined,
  policy: ManagedPolicy | undefined,
  managedBroken = false,
): Required<Pick<AuditLogOptions, 'syslog' | 'retentionDays' | 'retentionMaxBytes' | 'retentionFloorDays'>> {
  if (managedBroken) return { syslog: effectiveSyslogTargets(user?.auditSyslog, undefined), retentionDays: 0, retentionMaxBytes: 0, retentionFloorDays: 0 };
  return {
    syslog: effectiveSyslogTargets(user?.auditSyslog, policy),
    retentionDays: effectiveRetentionDays(user?.auditRetentionDays, policy),
    // A size limit never removes what managed policy says to keep.
    retentionMaxBytes: (user?.auditRetentionMaxMB ?? 0) * 1024 * 1024,
    retentionFloorDays: policy?.audit.minRetentionDays ?? 0,
  };
}

/**
 * The audit log's options under managed policy. `policy` is read again for every payload-capture
 * question, so a policy that turns capture off takes effect without reopening the log; forwarding
 * and retention are set from `user` and the policy in force when the log is opened, and changed
 * later with AuditLog.configure (engine/config/audit-settings.ts).
 */
export function managedAuditOptions(
  base: AuditLogOptions,
  policy: () => ManagedPolicy | undefined,
  user?: () => UserAudit | undefined,
  state?: () => ManagedState,
): AuditLogOptions {
  const capture = base.capturePayloads;
  return {
    ...base,
    ...(user
      ? auditConfig(user(), policy(), state?.().state === 'invalid')
      : { syslog: managedSyslogTargets(policy()).length ? managedSyslogTargets(policy()) : (base.syslog ?? []), retentionDays: effectiveRetentionDays(base.retentionDays, policy()) }),
    // A broken managed file may be the one that forbids capture: no payloads until it is fixed (fail closed).
    capturePayloads: (server) => state?.().state !== 'invalid' && policy()?.settings.allowPayloadCapture !== false && (capture ? capture(server) : false),
  };
}
