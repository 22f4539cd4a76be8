// Settings as they are in force: the person's values with managed policy's in place of the ones it
// fixes (what settings.get answers and `warden settings` prints). Pure.
import type { ManagedPolicy } from '../../../shared/managed.js';
import type { Settings } from '../../../shared/settings.js';
import { effectiveRetentionDays } from './audit.js';

export function managedSettingsView(settings: Settings, policy: ManagedPolicy | undefined): Settings {
  if (!policy) return settings;
  const m = policy.settings;
  return {
    ...settings,
    ...(m.approvalTimeoutSeconds !== undefined ? { approvalTimeoutSeconds: m.approvalTimeoutSeconds } : {}),
    ...(m.autoUpdate !== undefined ? { autoUpdate: m.autoUpdate } : {}),
    auditRetentionDays: effectiveRetentionDays(settings.auditRetentionDays, policy),
    ...(policy.audit.syslog ? { auditSyslog: policy.audit.syslog } : {}),
  };
}

/** Which settings managed policy fixes or limits now (the CLI's and the UI's lock marks). */
export function lockedSettingKeys(policy: ManagedPolicy | undefined): Set<keyof Settings> {
  const keys = new Set<keyof Settings>();
  if (!policy) return keys;
  if (policy.settings.approvalTimeoutSeconds !== undefined) keys.add('approvalTimeoutSeconds');
  if (policy.settings.autoUpdate !== undefined) keys.add('autoUpdate');
  if (policy.audit.syslog) keys.add('auditSyslog');
  if (policy.audit.minRetentionDays !== undefined) keys.add('auditRetentionDays');
  return keys;
}
