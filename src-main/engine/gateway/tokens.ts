// Bearer tokens: one admin token (the CLI and the local UI bridge) and one token per client id. Kept
// in tokens.json, readable by the user alone. A client is identified by its token, not by its claims.
import { hash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { ChangeWatch } from '../config/change-watch.js';
import { WardenError } from '../errors.js';
import type { DataPaths } from '../paths.js';

const TokenFile = z.object({
  admin: z.string().min(32),
  clients: z.record(z.string(), z.object({ token: z.string().min(32), createdAt: z.string() })).default({}),
});
type TokenFile = z.infer<typeof TokenFile>;

export type TokenOwner = { kind: 'admin' } | { kind: 'client'; id: string };

/** The client id a token's sessions and records carry (`admin` for the admin token). */
export const clientIdOf = (owner: TokenOwner): string => (owner.kind === 'admin' ? ADMIN_ID : owner.id);

export const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The id the admin token's sessions and records carry: no client may hold it too. */
const ADMIN_ID = 'admin';

// One-shot hash: every request is verified, and a Hash object per request costs several times more.
const digest = (token: string) => hash('sha256', token, 'hex');
const newToken = () => randomBytes(32).toString('base64url');

export class TokenStore {
  #byDigest = new Map<string, TokenOwner>();
  #mtimeMs = -1;
  #changes?: ChangeWatch;

  constructor(readonly paths: DataPaths) {}

  /** Re-read the file only when the OS says it changed (the engine checks a token on every request). */
  watchForChanges(): void {
    this.#changes ??= new ChangeWatch(this.paths.tokens);
    this.#changes.start();
  }

  stopWatching(): void {
    this.#changes?.stop();
  }

  /** Reads the file, creating it (mode 0600) with a fresh admin token on first use. */
  load(): TokenFile {
    let text: string | undefined;
    try {
      text = readFileSync(this.paths.tokens, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      const fresh: TokenFile = { admin: newToken(), clients: {} };
      this.#write(fresh);
      return fresh;
    }
    let parsed: TokenFile;
    try {
      parsed = TokenFile.parse(JSON.parse(text));
    } catch (error) {
      throw new WardenError('config_invalid', `${this.paths.tokens} is damaged (${(error as Error).message.split('\n')[0]}). Delete it to issue new tokens; protected clients will need to be protected again.`);
    }
    return parsed;
  }

  adminToken(): string {
    return this.load().admin;
  }

  /** The token of a client id, issued on first request. */
  clientToken(clientId: string): string {
    if (!CLIENT_ID.test(clientId)) throw new WardenError('bad_input', `Client id \`${clientId}\` is not valid: use letters, digits, dot, dash or underscore.`);
    // A client `admin` would share the admin token's sessions, session limit, rules and audit identity.
    if (clientId.toLowerCase() === ADMIN_ID) throw new WardenError('bad_input', `Client id \`${clientId}\` is reserved for Warden's own admin token (the CLI and the UI). Choose another id.`);
    const file = this.load();
    const existing = file.clients[clientId];
    if (existing) return existing.token;
    const token = newToken();
    file.clients[clientId] = { token, createdAt: new Date().toISOString() };
    this.#write(file);
    return token;
  }

  /** Who owns a presented token, or null. Re-reads the file when it changed (a client protected meanwhile). */
  verify(token: string | undefined): TokenOwner | null {
    if (!token) return null;
    if (!this.#changes || this.#changes.mayHaveChanged()) this.#refresh();
    const key = digest(token);
    let owner = this.#byDigest.get(key);
    // A token issued a moment ago by another process: its change notice may not have arrived yet.
    if (!owner && this.#changes) {
      this.#refresh();
      owner = this.#byDigest.get(key);
    }
    return owner ?? null;
  }

  #refresh(): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.paths.tokens).mtimeMs;
    } catch {
      mtimeMs = -2;
    }
    if (mtimeMs === this.#mtimeMs) return;
    const file = this.load();
    const map = new Map<string, TokenOwner>([[digest(file.admin), { kind: 'admin' }]]);
    // A client `admin` issued before the id was reserved: its token is no longer accepted.
    for (const [id, entry] of Object.entries(file.clients)) if (id.toLowerCase() !== ADMIN_ID) map.set(digest(entry.token), { kind: 'client', id });
    this.#byDigest = map;
    this.#mtimeMs = statSync(this.paths.tokens).mtimeMs;
  }

  #write(file: TokenFile): void {
    mkdirSync(this.paths.dir, { recursive: true });
    writeFileAtomic.sync(this.paths.tokens, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    chmodSync(this.paths.tokens, 0o600);
  }
}
