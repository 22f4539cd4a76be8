// Looks at every entry of a client's config and decides what Warden can do with it: import it as a
// Warden server (with its secrets moving to the keychain), route it through Warden, or leave it alone
// and say why. Reads the server registry and the keychain; writes nothing.
import { resolve } from 'node:path';
import type { JSONPath } from 'jsonc-parser';
import type { ServerConfig, ServerConfigInput } from '../../../shared/servers.js';
import { ServerName } from '../../../shared/words.js';
import { credentialArgs, secretReason } from '../secrets/detect.js';
import type { Keychain, KeychainStatus } from '../secrets/keychain.js';
import { planSecretMove, secretNames } from '../secrets/move.js';
import type { ClientRow } from './catalog.js';
import type { ClientDocument } from './document.js';
import { isWardenEntry, normalizeEntry, type ClientServer } from './entries.js';

/** The part of Warden's server store (engine/config/servers.ts) that importing needs. */
export interface ServerRegistry {
  get(name: string): ServerConfig | undefined;
  add(input: ServerConfigInput): ServerConfig;
  /** Takes back a server an unfinished protect imported. */
  remove(name: string): void;
}

export interface EntryAnalysis {
  name: string;
  path: JSONPath;
  value: Record<string, unknown>;
  server?: ClientServer;
  state: 'direct' | 'protected' | 'skipped';
  reason?: string;
  /** Names of env variables / headers that hold secrets. */
  secrets: string[];
  /** Set when the server is new to Warden: what to add, and which values go to the keychain. */
  import?: { config: ServerConfigInput; moves: { account: string; value: string }[] };
  /** Warden already has this server with the same settings. */
  known?: boolean;
}

function summary(server: ClientServer): string {
  if (server.transport === 'http') return server.url.replace(/\/\/[^/@]*@/, '//');
  const flagged = new Set(credentialArgs(server.args));
  return [server.command, ...server.args.map((a, i) => (flagged.has(i) ? '••••' : a))].join(' ');
}
export { summary as entrySummary };

function urlCarriesCredential(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.password) return true;
    for (const [name, value] of u.searchParams) if (secretReason(name, value)) return true;
  } catch {
    return false;
  }
  return false;
}

function candidate(name: string, server: ClientServer): { config: ServerConfigInput; moves: { account: string; value: string }[] } {
  if (server.transport === 'stdio') {
    const { refs, moves } = planSecretMove(name, server.env);
    const config: ServerConfigInput = { name, transport: 'stdio', command: server.command, args: server.args, env: refs };
    if (server.cwd) config.cwd = server.cwd;
    return { config, moves };
  }
  const { refs, moves } = planSecretMove(name, server.headers);
  return { config: { name, transport: 'http', url: server.url, headers: refs }, moves };
}

async function sameValues(existing: Record<string, string | { secret: string }>, wanted: Record<string, string>, keychain: Keychain): Promise<boolean> {
  const keys = Object.keys(wanted).sort();
  if (keys.join('\0') !== Object.keys(existing).sort().join('\0')) return false;
  for (const key of keys) {
    const have = existing[key]!;
    if (typeof have === 'string') {
      if (have !== wanted[key]) return false;
    } else {
      const value = await keychain.get(have.secret).catch(() => undefined);
      if (value !== wanted[key]) return false;
    }
  }
  return true;
}

/** Warden's server `existing` runs the same thing as the client's entry. */
export async function sameServer(existing: ServerConfig, server: ClientServer, keychain: Keychain): Promise<boolean> {
  if (existing.transport !== server.transport) return false;
  if (existing.transport === 'stdio' && server.transport === 'stdio') {
    return (
      existing.command === server.command &&
      JSON.stringify(existing.args) === JSON.stringify(server.args) &&
      (existing.cwd ?? '') === (server.cwd ?? '') &&
      (await sameValues(existing.env, server.env, keychain))
    );
  }
  if (existing.transport === 'http' && server.transport === 'http') {
    return existing.url === server.url && (await sameValues(existing.headers, server.headers, keychain));
  }
  return false;
}

export async function analyzeDocument(
  row: ClientRow,
  doc: ClientDocument,
  servers: ServerRegistry,
  keychain: Keychain,
  keychainStatus: KeychainStatus,
): Promise<EntryAnalysis[]> {
  const out: EntryAnalysis[] = [];
  const seen = new Map<string, ClientServer>();
  for (const map of doc.maps) {
    for (const entry of map.entries) {
      const value = entry.value as Record<string, unknown>;
      const base = { name: entry.name, path: entry.path, value };
      const normalized = normalizeEntry(row, value);
      if (!normalized.ok) {
        out.push({ ...base, state: 'skipped', reason: normalized.reason, secrets: [] });
        continue;
      }
      // A project's server runs in its project folder, as its client starts it: relative paths keep working.
      const server = entry.projectDir && normalized.server.transport === 'stdio' ? { ...normalized.server, cwd: resolve(entry.projectDir, normalized.server.cwd ?? '.') } : normalized.server;
      const secrets = secretNames(server.transport === 'stdio' ? server.env : server.headers);
      const skip = (reason: string): void => void out.push({ ...base, server, state: 'skipped', reason, secrets });
      if (isWardenEntry(server)) {
        out.push({ ...base, server, state: 'protected', secrets: [] });
        continue;
      }
      if (!ServerName.safeParse(entry.name).success) {
        skip('its name is not one Warden can use for a server (letters, digits, dot, dash, underscore; at most 64)');
        continue;
      }
      if (server.transport === 'stdio' && credentialArgs(server.args).length > 0) {
        skip('one of its arguments looks like a credential; Warden keeps secrets only in the OS keychain, so move it into an env variable first');
        continue;
      }
      if (server.transport === 'http' && urlCarriesCredential(server.url)) {
        skip('its URL carries a credential; Warden keeps secrets only in the OS keychain, so move it into a header first');
        continue;
      }
      const earlier = seen.get(entry.name);
      if (earlier && JSON.stringify(earlier) !== JSON.stringify(server)) {
        skip(`another entry named "${entry.name}" in this file runs something else; rename one of them`);
        continue;
      }
      seen.set(entry.name, server);
      const existing = servers.get(entry.name);
      if (existing) {
        if (!(await sameServer(existing, server, keychain))) {
          skip(`Warden already has a server "${entry.name}" with other settings; rename the entry or change the server in Warden`);
          continue;
        }
        out.push({ ...base, server, state: 'direct', secrets, known: true });
        continue;
      }
      const planned = candidate(entry.name, server);
      if (planned.moves.length > 0 && !keychainStatus.available) {
        skip(keychainStatus.reason);
        continue;
      }
      const analysis: EntryAnalysis = { ...base, server, state: 'direct', secrets };
      // The same server twice in one file (e.g. two Claude Code projects) is imported once.
      if (!out.some((o) => o.name === entry.name && o.import)) analysis.import = planned;
      out.push(analysis);
    }
  }
  return out;
}
