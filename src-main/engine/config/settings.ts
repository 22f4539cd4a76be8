// Settings in settings.json (conf). Values outside the schema are refused with a clear error.
import Conf from 'conf';
import { Settings } from '../../../shared/settings.js';
import { WardenError } from '../errors.js';
import type { DataPaths } from '../paths.js';

export class SettingsStore {
  #opened?: Conf<Record<string, unknown>>;

  constructor(private readonly paths: DataPaths) {}

  get #conf(): Conf<Record<string, unknown>> {
    try {
      this.#opened ??= new Conf({ cwd: this.paths.dir, configName: 'settings', configFileMode: 0o600, accessPropertiesByDotNotation: false });
    } catch (error) {
      throw new WardenError('config_invalid', `${this.paths.settings} cannot be read: ${(error as Error).message}. Fix or remove the file.`);
    }
    return this.#opened;
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
