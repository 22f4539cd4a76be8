// The person's audit settings (retention, syslog receivers) as the engine applies them: read from
// settings.json, combined with managed policy (managed/audit.ts), and applied to the open audit log
// without a restart, whenever either changes.
import { DeferredAuditLog } from '../audit/deferred.js';
import type { AuditPoint } from '../pipeline.js';
import type { Logger } from '../log.js';
import { auditConfig, type UserAudit } from '../managed/audit.js';
import type { ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import type { SettingsStore } from './settings.js';

/** settings.json's audit part; a file that cannot be read counts as none (defaults), with a warning. */
export function userAudit(settings: SettingsStore, logger?: Pick<Logger, 'warn'>): UserAudit | undefined {
  try {
    const s = settings.get();
    return { auditRetentionDays: s.auditRetentionDays, auditRetentionMaxMB: s.auditRetentionMaxMB, auditSyslog: s.auditSyslog };
  } catch (error) {
    logger?.warn('settings.invalid', { message: `${(error as Error).message} Audit forwarding and retention use managed policy and the defaults until it is fixed.` });
    return undefined;
  }
}

export interface AuditSettingsHost {
  audit: AuditPoint;
  settings: SettingsStore;
  logger: Pick<Logger, 'warn' | 'info'>;
  managed: { policy(): ManagedPolicy | undefined; state(): ManagedState };
}

/** Re-applies forwarding and retention to the open log. Returns what is now in force (undefined: no log open here). */
export function applyAuditSettings(engine: AuditSettingsHost): ReturnType<typeof auditConfig> | undefined {
  const log = engine.audit instanceof DeferredAuditLog ? engine.audit.log : undefined;
  if (!log) return undefined;
  const broken = engine.managed.state().state === 'invalid';
  const config = auditConfig(userAudit(engine.settings, engine.logger), engine.managed.policy(), broken);
  // A broken managed file hides which receivers IT requires: keep forwarding where the log forwards now
  // rather than switch to the person's own receivers (fail closed); retention pauses (auditConfig).
  log.configure(broken ? { retentionDays: config.retentionDays, retentionMaxBytes: config.retentionMaxBytes, retentionFloorDays: config.retentionFloorDays } : config);
  engine.logger.info('audit.configured', { retentionDays: config.retentionDays, retentionMaxBytes: config.retentionMaxBytes, syslog: config.syslog.map((t) => `${t.protocol}://${t.host}:${t.port}`) });
  return config;
}
