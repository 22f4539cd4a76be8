// policy.json in the data directory (conf: JSON, atomic writes, mode 0600): standing rules, per-tool
// overrides, time-limited consents, pins and the approval settings. Read once and kept in memory by
// the engine; a broken file stops the guardian (fail closed) with a message that names the file.
import Conf from 'conf';
import { PolicyFile } from '../../../shared/policy.js';
import { parseJsonObject } from '../config/json-object.js';
import { WardenError } from '../errors.js';
import type { DataPaths } from '../paths.js';

export class PolicyStore {
  #conf?: Conf<Record<string, unknown>>;

  constructor(readonly paths: Pick<DataPaths, 'dir' | 'policy'>) {}

  get path(): string {
    return this.paths.policy;
  }

  /** conf reads the file when it is created, so a broken file throws here: opened lazily, reported by load(). */
  #open(): Conf<Record<string, unknown>> {
    this.#conf ??= new Conf<Record<string, unknown>>({
      cwd: this.paths.dir,
      configName: 'policy',
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      deserialize: parseJsonObject,
    });
    return this.#conf;
  }

  load(): PolicyFile {
    let raw: Record<string, unknown>;
    try {
      raw = this.#open().store;
    } catch (error) {
      throw new WardenError('config_invalid', `${this.path} cannot be read: ${(error as Error).message}. Fix or remove the file; until then Warden denies every call.`);
    }
    const parsed = PolicyFile.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ');
      throw new WardenError('config_invalid', `${this.path} is not a valid policy file: ${detail}. Fix or remove the file; until then Warden denies every call.`);
    }
    return parsed.data;
  }

  save(file: PolicyFile): void {
    this.#open().store = file as unknown as Record<string, unknown>;
  }
}
