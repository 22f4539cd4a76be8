// Settings a person can change (Settings screen, CLI). Stored in settings.json in the data directory.
import { z } from 'zod';

export const Settings = z.object({
  /** How long a call waits for a person before it is denied. Shorter than clients' usual 60 s timeout. */
  approvalTimeoutSeconds: z.number().int().min(5).max(3600).default(45),
  /** Ask inside the client (MCP elicitation) when the client supports it. */
  elicitApprovals: z.boolean().default(true),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  startAtLogin: z.boolean().default(false),
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
    theme: z.enum(['system', 'light', 'dark']),
    startAtLogin: z.boolean(),
  })
  .partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;
