// Settings a person can change (Settings screen, CLI). Managed policy can lock some of them (the lock
// wins: see shared/managed.ts). The approval timeout and in-client asking live with the guardian's
// approval settings (policy.json) — one source of truth — and are shown here under the names below;
// everything else is stored in settings.json in the data directory.
import { z } from 'zod';
import { SyslogDestination } from './syslog.js';

export const Theme = z.enum(['system', 'light', 'dark']);

/** What settings.json holds. */
export const StoredSettings = z.object({
  theme: Theme.default('system'),
  startAtLogin: z.boolean().default(false),
  /** The desktop app checks for and installs updates (managed policy settings.autoUpdate wins). */
  autoUpdate: z.boolean().default(true),
  /** Whole audit segments older than this many days are removed; 0 keeps everything. Never below managed audit.minRetentionDays. */
  auditRetentionDays: z.number().int().min(0).max(36500).default(365),
  /** The oldest whole audit segments are also removed while the log is larger than this many MB; 0: no size limit. Never inside managed audit.minRetentionDays. */
  auditRetentionMaxMB: z.number().int().min(0).max(1_000_000).default(0),
  /** Every audit record is also sent to these syslog receivers (locked when managed policy sets audit.syslog). */
  auditSyslog: z.array(SyslogDestination).max(8).default([]),
});
export type StoredSettings = z.infer<typeof StoredSettings>;

export const Settings = StoredSettings.extend({
  /** How long a call waits for a person before it is denied (the guardian's approvals.timeoutSeconds). */
  approvalTimeoutSeconds: z.number().int().min(1).max(3600),
  /** Ask inside the client (MCP elicitation) when the client supports it (the guardian's approvals.elicitation). */
  elicitApprovals: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

/**
 * A change to some settings: only the keys given (no defaults filled in, so that changing one setting
 * does not reset the others).
 */
export const SettingsPatch = z
  .object({
    approvalTimeoutSeconds: z.number().int().min(5).max(3600),
    elicitApprovals: z.boolean(),
    theme: Theme,
    startAtLogin: z.boolean(),
    autoUpdate: z.boolean(),
    auditRetentionDays: z.number().int().min(0).max(36500),
    auditRetentionMaxMB: z.number().int().min(0).max(1_000_000),
    auditSyslog: z.array(SyslogDestination).max(8),
  })
  .partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** Keys kept with the guardian's approval settings, and their names there. */
export const APPROVAL_SETTING_KEYS = { approvalTimeoutSeconds: 'timeoutSeconds', elicitApprovals: 'elicitation' } as const;
