// Whether the desktop app may check for and install updates: the decision, kept apart from the
// Electron updater that acts on it (src-main/electron/updater.ts). Managed policy wins over the
// person's setting; a broken managed policy file, or settings that cannot be read, mean no updates
// (fail closed: IT may have meant "off", and an update cannot be taken back). Pure.
import type { ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import { DEFAULT_MANAGER } from './load.js';

export interface AutoUpdateInput {
  /** An installed, packaged app (app.isPackaged). A development copy has no update feed. */
  packaged: boolean;
  managed: ManagedState;
  policy: ManagedPolicy | undefined;
  /** The person's settings.json autoUpdate; an Error when the file cannot be read. */
  user: boolean | undefined | Error;
}

export interface AutoUpdateDecision {
  enabled: boolean;
  /** Who decided: managed policy, the person, the default, or neither (a development build). */
  source: 'managed' | 'user' | 'default' | 'build';
  /** One sentence for the log and the UI. */
  reason: string;
}

export function decideAutoUpdate(input: AutoUpdateInput): AutoUpdateDecision {
  const { managed, policy } = input;
  if (managed.state === 'invalid') {
    return { enabled: false, source: 'managed', reason: `Updates are off: the managed policy file ${managed.path} is broken, so Warden cannot tell whether IT allows them. ${managed.message}` };
  }
  const fixed = policy?.settings.autoUpdate;
  if (fixed === false) return { enabled: false, source: 'managed', reason: `Updates are turned off by ${policy?.managedBy ?? DEFAULT_MANAGER} (managed policy settings.autoUpdate).` };
  if (!input.packaged) return { enabled: false, source: 'build', reason: 'Updates are off: this is a development copy, not an installed app.' };
  if (fixed === true) return { enabled: true, source: 'managed', reason: `Updates are turned on by ${policy?.managedBy ?? DEFAULT_MANAGER} (managed policy settings.autoUpdate).` };
  if (input.user instanceof Error) return { enabled: false, source: 'user', reason: `Updates are off until the settings can be read: ${input.user.message}` };
  if (input.user === false) return { enabled: false, source: 'user', reason: 'Updates are turned off in Settings.' };
  return { enabled: true, source: input.user === true ? 'user' : 'default', reason: 'Updates are on: Warden checks for a new version and installs it when the app restarts.' };
}
