// Settings in settings.json (conf). Values outside the schema are refused with a clear error.
import Conf from 'conf';
import { Settings } from '../../../shared/settings.js';
import { WardenError } from '../errors.js';
import type { DataPaths } from '../paths.js';

export class SettingsStore {
  readonly #conf: Conf<Record<string, unknown>>;

  constructor(paths: DataPaths) {
    this.#conf = new Conf({ cwd: paths.dir, configName: 'settings', configFileMode: 0o600, accessPropertiesByDotNotation: false });
  }

  get(): Settings {
    let raw: unknown;
    try {
      raw = this.#conf.store;
    } catch (error) {
      throw new WardenError('config_invalid', `${this.#conf.path} cannot be read: ${(error as Error).message}. Fix or remove the file.`);
    }
    const parsed = Settings.safeParse(raw);
    if (!parsed.success) {
      throw new WardenError('config_invalid', `${this.#conf.path} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    }
    return parsed.data;
  }

  set(patch: Partial<Settings>): Settings {
    const next = Settings.safeParse({ ...this.get(), ...patch });
    if (!next.success) {
      throw new WardenError('bad_input', `Settings not changed: ${next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    }
    this.#conf.store = next.data;
    return next.data;
  }
}
