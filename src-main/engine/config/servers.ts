// The servers Warden knows, stored in servers.json (conf: atomic writes). The file is re-read when it
// changed (stat on every access, or, in a running engine, when the OS reports a change), so a server
// added by the CLI while an engine runs takes effect at the next session.
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import Conf from 'conf';
import { ServerConfig, type ServerConfigInput } from '../../../shared/servers.js';
import type { Tier } from '../../../shared/words.js';
import { WardenError } from '../errors.js';
import { ChangeWatch, fileStamp } from './change-watch.js';
import { permitByManagedFile } from '../managed/locks.js';
import type { DataPaths } from '../paths.js';
import { parseJsonObject } from './json-object.js';

interface ServersFile {
  servers: Record<string, unknown>;
}

export class ServerStore {
  #opened?: Conf<ServersFile>;
  /** Parsed servers, valid while the file's size and mtime stay the same (the call path asks often). */
  #cache?: { stamp: string; raw: Record<string, unknown> | undefined; parsed: Map<string, ServerConfig> };
  #changes?: ChangeWatch;

  /** `permit` refuses servers managed policy forbids (default: the managed policy file as it is now). */
  constructor(
    readonly paths: DataPaths,
    private readonly guard: { permit?: (server: ServerConfig) => void } = {},
  ) {}

  /** Opened on first use: conf reads the file in its constructor, and a broken file must get our message. */
  get #conf(): Conf<ServersFile> {
    try {
      this.#opened ??= new Conf<ServersFile>({ cwd: this.paths.dir, configName: 'servers', configFileMode: 0o600, accessPropertiesByDotNotation: false, deserialize: parseJsonObject<ServersFile> });
    } catch (error) {
      throw new WardenError('config_invalid', `${this.paths.servers} cannot be read: ${(error as Error).message}. Fix or remove the file; Warden changed nothing.`);
    }
    return this.#opened;
  }

  /** Stat the file only when the OS says it changed (the engine's call path asks several times per call). */
  watchForChanges(): void {
    this.#changes ??= new ChangeWatch(this.paths.servers);
    this.#changes.start();
  }

  stopWatching(): void {
    this.#changes?.stop();
  }

  /** True once the file exists: an empty list the person made is not the same as "never configured". */
  exists(): boolean {
    return this.#read() !== undefined;
  }

  list(): ServerConfig[] {
    const raw = this.#read() ?? {};
    return Object.keys(raw).map((name) => this.#parsed(name, raw));
  }

  get(name: string): ServerConfig | undefined {
    const raw = this.#read() ?? {};
    return Object.hasOwn(raw, name) ? this.#parsed(name, raw) : undefined;
  }

  #parsed(name: string, raw: Record<string, unknown>): ServerConfig {
    const cached = this.#cache?.raw === raw ? this.#cache.parsed.get(name) : undefined;
    if (cached) return cached;
    const parsed = this.#parse(name, raw[name]);
    if (this.#cache?.raw === raw) this.#cache.parsed.set(name, parsed);
    return parsed;
  }

  require(name: string): ServerConfig {
    const server = this.get(name);
    if (!server) {
      const known = this.list().map((s) => s.name);
      throw new WardenError(
        'server_unknown',
        `Unknown server \`${name}\`. ${known.length ? `Known servers: ${known.join(', ')}.` : 'No servers are configured.'} Add it with \`warden servers add ${name} -- <command>\`.`,
      );
    }
    return server;
  }

  add(input: ServerConfigInput, { replace = false } = {}): ServerConfig {
    const parsed = ServerConfig.safeParse({ addedAt: new Date().toISOString(), ...input });
    if (!parsed.success) {
      throw new WardenError('bad_input', `Server \`${input.name}\` is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'server'}: ${i.message}`).join('; ')}.`);
    }
    if (!replace && parsed.data.transport === 'stdio' && parsed.data.cwd !== undefined) checkWorkingDirectory(parsed.data.name, parsed.data.cwd);
    (this.guard.permit ?? permitByManagedFile)(parsed.data);
    const raw = this.#read(true) ?? {};
    if (!replace && Object.hasOwn(raw, parsed.data.name)) {
      throw new WardenError('server_exists', `Server \`${parsed.data.name}\` already exists. Remove it first, or pick another name.`);
    }
    const { name, ...rest } = parsed.data;
    this.#write({ ...raw, [name]: rest });
    return parsed.data;
  }

  remove(name: string): void {
    const raw = this.#read(true) ?? {};
    if (!Object.hasOwn(raw, name)) this.require(name);
    const { [name]: _removed, ...rest } = raw;
    this.#write(rest);
  }

  setTier(name: string, tier: Tier): ServerConfig {
    const server = this.require(name);
    return this.add({ ...server, tier }, { replace: true });
  }

  update(name: string, patch: Partial<ServerConfigInput>): ServerConfig {
    const server = this.require(name);
    return this.add({ ...server, ...patch, name } as ServerConfigInput, { replace: true });
  }

  /** `fresh`: stat even when no change notice came (before a write, so that another process's change is never overwritten). */
  #read(fresh = false): Record<string, unknown> | undefined {
    if (!fresh && this.#cache && this.#changes && !this.#changes.mayHaveChanged()) return this.#cache.raw;
    const stamp = fileStamp(this.paths.servers);
    if (this.#cache?.stamp === stamp) return this.#cache.raw;
    const raw = this.#readFile();
    this.#cache = { stamp, raw, parsed: new Map() };
    return raw;
  }

  #readFile(): Record<string, unknown> | undefined {
    let store: Partial<ServersFile>;
    try {
      store = this.#conf.store;
    } catch (error) {
      throw new WardenError('config_invalid', `${this.#conf.path} cannot be read: ${(error as Error).message}. Fix or remove the file; Warden changed nothing.`);
    }
    if (store.servers === undefined) {
      const keys = Object.keys(store);
      if (keys.length === 0) return undefined;
      // Not a file Warden wrote (a client's config pasted in, say): never taken for "nothing configured" and overwritten.
      throw new WardenError(
        'config_invalid',
        `${this.#conf.path} has no "servers" (it holds ${keys.slice(0, 3).map((k) => `"${k}"`).join(', ')}). Warden's file is {"servers": {"<name>": {...}}}; a client's config is brought in with \`warden clients import\`. Fix or remove the file; Warden changed nothing.`,
      );
    }
    if (typeof store.servers !== 'object' || store.servers === null || Array.isArray(store.servers)) {
      throw new WardenError('config_invalid', `${this.#conf.path}: "servers" must be an object of server name to settings.`);
    }
    return store.servers as Record<string, unknown>;
  }

  #write(servers: Record<string, unknown>): void {
    this.#conf.set('servers', servers);
    this.#cache = undefined;
  }

  #parse(name: string, value: unknown): ServerConfig {
    const parsed = ServerConfig.safeParse({ ...(value as object), name });
    if (!parsed.success) {
      throw new WardenError('config_invalid', `${this.#conf.path}: server \`${name}\` is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
    }
    return parsed.data;
  }
}

/**
 * A new server's working directory must be an absolute path to a folder that exists: a relative one
 * would be read from wherever the engine happens to run, and a missing one fails only at the first
 * start, as "command not found".
 */
function checkWorkingDirectory(name: string, cwd: string): void {
  if (!isAbsolute(cwd)) throw new WardenError('bad_input', `Server \`${name}\` is not valid: its working directory ${JSON.stringify(cwd)} is not an absolute path.`);
  let folder = false;
  try {
    folder = statSync(cwd).isDirectory();
  } catch {
    // missing or unreadable: said below
  }
  if (!folder) throw new WardenError('bad_input', `Server \`${name}\` is not valid: its working directory ${cwd} is not a folder that exists.`);
}
