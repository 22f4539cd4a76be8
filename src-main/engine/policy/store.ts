// policy.json in the data directory (conf: JSON, atomic writes, mode 0600): standing rules, per-tool
// overrides, time-limited consents, pins and the approval settings. Kept in memory by the engine, and
// read again when the file on disk is no longer the one it last read or wrote (a hand edit); a broken
// file stops the guardian (fail closed) with a message that names the file.
import Conf from 'conf';
import { PolicyFile } from '../../../shared/policy.js';
import { parseJsonObject } from '../config/json-object.js';
import { WardenError } from '../errors.js';
import type { DataPaths } from '../paths.js';
import { ChangeWatch, fileStamp } from '../config/change-watch.js';

export class PolicyStore {
  #conf?: Conf<Record<string, unknown>>;
  /** The file as last loaded or saved here; undefined before the first load. */
  #stamp?: string;
  #changes?: ChangeWatch;

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

  /** Check the file only when the OS says it changed (the call path asks on every call). */
  watchForChanges(): void {
    this.#changes ??= new ChangeWatch(this.path);
    this.#changes.start();
  }

  stopWatching(): void {
    this.#changes?.stop();
  }

  /**
   * True when policy.json on disk is not the file this store last loaded or saved: someone else wrote
   * it. `certain` stats the file even when the OS reported nothing (before a write, which must not
   * cover a change).
   */
  changedOnDisk({ certain = false } = {}): boolean {
    if (this.#stamp === undefined) return false;
    if (!certain && this.#changes && !this.#changes.mayHaveChanged()) return false;
    return fileStamp(this.path) !== this.#stamp;
  }

  load(): PolicyFile {
    // Stamped before reading: a write in between is then seen as a change, and read again.
    this.#stamp = fileStamp(this.path);
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
    this.#stamp = fileStamp(this.path);
  }
}
