// Settings in settings.json (conf). Values outside the schema are refused with a clear error.
// The approval timeout and in-client asking are not stored here but with the guardian's approval
// settings (policy.json): `settingsView` and `changeSettings` join the two, so the API and the CLI
// show one set of settings with one source of truth for each.
import { accessSync, constants } from 'node:fs';
import { isAbsolute } from 'node:path';
import Conf from 'conf';
import type { ApprovalSettings } from '../../../shared/policy.js';
import { APPROVAL_SETTING_KEYS, Settings, StoredSettings, type SettingsPatch } from '../../../shared/settings.js';
import { WardenError } from '../errors.js';
import type { DataPaths } from '../paths.js';
import { PolicyStore } from '../policy/store.js';
import { parseJsonObject } from './json-object.js';

const issues = (error: { issues: Array<{ path: PropertyKey[]; message: string }> }) => error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');

export class SettingsStore {
  #opened?: Conf<Record<string, unknown>>;

  constructor(private readonly paths: DataPaths) {}

  get #conf(): Conf<Record<string, unknown>> {
    try {
      this.#opened ??= new Conf({ cwd: this.paths.dir, configName: 'settings', configFileMode: 0o600, accessPropertiesByDotNotation: false, deserialize: parseJsonObject });
    } catch (error) {
      throw new WardenError('config_invalid', `${this.paths.settings} cannot be read: ${(error as Error).message}. Fix or remove the file.`);
    }
    return this.#opened;
  }

  get(): StoredSettings {
    let raw: unknown;
    try {
      raw = this.#conf.store;
    } catch (error) {
      throw new WardenError('config_invalid', `${this.#conf.path} cannot be read: ${(error as Error).message}. Fix or remove the file.`);
    }
    const parsed = StoredSettings.safeParse(raw);
    if (!parsed.success) throw new WardenError('config_invalid', `${this.#conf.path} is not valid: ${issues(parsed.error)}.`);
    return parsed.data;
  }

  set(patch: Partial<StoredSettings>): StoredSettings {
    const next = StoredSettings.safeParse({ ...this.get(), ...patch });
    if (!next.success) throw new WardenError('bad_input', `Settings not changed: ${issues(next.error)}.`);
    if (patch.auditSyslog) checkSyslogFiles(next.data.auditSyslog);
    // Keys from older versions (approvalTimeoutSeconds lived here once) are dropped on the next write.
    this.#conf.store = next.data;
    return next.data;
  }
}

/** The guardian's approval settings: the engine's guardian, or policy.json directly when no engine runs. */
export interface ApprovalSettingsAccess {
  get(): ApprovalSettings;
  set(patch: Partial<ApprovalSettings>): ApprovalSettings;
}

export function policyFileApprovals(paths: Pick<DataPaths, 'dir' | 'policy'>): ApprovalSettingsAccess {
  const store = new PolicyStore(paths);
  return {
    get: () => store.load().approvals,
    set: (patch) => {
      const file = store.load();
      store.save({ ...file, approvals: { ...file.approvals, ...patch } });
      return store.load().approvals;
    },
  };
}

export function settingsView(stored: StoredSettings, approvals: ApprovalSettings): Settings {
  return { ...stored, approvalTimeoutSeconds: approvals.timeoutSeconds, elicitApprovals: approvals.elicitation };
}

/** Splits a change between policy.json (approval keys) and settings.json (the rest). */
export function splitPatch(patch: SettingsPatch): { stored: Partial<StoredSettings>; approvals: Partial<ApprovalSettings> } {
  const stored: Record<string, unknown> = {};
  const approvals: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const to = APPROVAL_SETTING_KEYS[key as keyof typeof APPROVAL_SETTING_KEYS];
    if (to) approvals[to] = value;
    else stored[key] = value;
  }
  return { stored: stored as Partial<StoredSettings>, approvals: approvals as Partial<ApprovalSettings> };
}

export function readSettings(store: SettingsStore, approvals: ApprovalSettingsAccess): Settings {
  return settingsView(store.get(), approvals.get());
}

/** Applies a change; settings.json is validated first, so a bad value changes nothing in either file. */
export function changeSettings(store: SettingsStore, approvals: ApprovalSettingsAccess, patch: SettingsPatch): Settings {
  const { stored, approvals: a } = splitPatch(patch);
  const current = store.get();
  const checked = StoredSettings.safeParse({ ...current, ...stored });
  if (!checked.success) throw new WardenError('bad_input', `Settings not changed: ${issues(checked.error)}.`);
  const nextApprovals = Object.keys(a).length ? approvals.set(a) : approvals.get();
  const nextStored = Object.keys(stored).length ? store.set(stored) : current;
  return Settings.parse(settingsView(nextStored, nextApprovals));
}

/**
 * The certificate files a TLS receiver names must be there to read now: otherwise forwarding fails at
 * every connection, seen only as a warning in the engine's log.
 */
function checkSyslogFiles(receivers: StoredSettings['auditSyslog']): void {
  for (const r of receivers) {
    for (const [what, path] of [['CA', r.caFile], ['client certificate', r.certFile], ['client key', r.keyFile]] as const) {
      if (path === undefined) continue;
      if (!isAbsolute(path)) throw new WardenError('bad_input', `Settings not changed: the ${what} file of ${r.host}:${r.port} must be an absolute path, not ${JSON.stringify(path)}.`);
      try {
        accessSync(path, constants.R_OK);
      } catch (error) {
        throw new WardenError('bad_input', `Settings not changed: the ${what} file ${path} of ${r.host}:${r.port} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
    }
  }
}
