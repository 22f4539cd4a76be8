// Changes to the person's configuration that no engine saw: the CLI writes servers.json, policy.json
// and settings.json itself when no engine runs, and a person may edit them by hand. The engine keeps a
// snapshot of them (digests, and server names) and, when it starts, puts what differs from it on record
// (`config.changed_outside`), so the audit log has no silent gap. It takes the snapshot again when it
// starts, after its own changes, and when it stops. Names and digests only, never values.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ServerConfig } from '../../../shared/servers.js';
import type { DataPaths } from '../paths.js';

export interface ConfigSnapshot {
  /** Server name → digest of its settings (tier, command or URL, env names and values, ...). */
  servers: Record<string, string>;
  /** Digest of the person's policy: rules, overrides and approval settings (not pins or consents the engine keeps). */
  policy?: string;
  settings?: string;
}

export interface OutsideChanges {
  serversAdded: string[];
  serversRemoved: string[];
  serversChanged: string[];
  policy: boolean;
  settings: boolean;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');
const snapshotPath = (paths: DataPaths) => join(paths.dir, 'config-seen.json');

function fileDigest(path: string, pick?: (value: Record<string, unknown>) => unknown): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // no file: nothing set
  }
  if (!pick) return digest(text);
  try {
    return digest(JSON.stringify(pick(JSON.parse(text) as Record<string, unknown>)));
  } catch {
    return digest(text); // a broken file is a change too
  }
}

export function takeSnapshot(paths: DataPaths, servers: ServerConfig[]): ConfigSnapshot {
  return {
    servers: Object.fromEntries(servers.map(({ addedAt: _added, ...server }) => [server.name, digest(JSON.stringify(server))])),
    policy: fileDigest(paths.policy, (p) => [p.rules, p.overrides, p.approvals]),
    settings: fileDigest(paths.settings),
  };
}

export function readSnapshot(paths: DataPaths): ConfigSnapshot | undefined {
  try {
    const value = JSON.parse(readFileSync(snapshotPath(paths), 'utf8')) as ConfigSnapshot;
    return value && typeof value.servers === 'object' ? value : undefined;
  } catch {
    return undefined; // the first start, or a snapshot that cannot be read: nothing to compare with
  }
}

export function saveSnapshot(paths: DataPaths, snapshot: ConfigSnapshot): void {
  writeFileAtomic.sync(snapshotPath(paths), JSON.stringify(snapshot), { mode: 0o600 });
}

/** What differs between the last snapshot and now; undefined when nothing does. */
export function outsideChanges(before: ConfigSnapshot, now: ConfigSnapshot): OutsideChanges | undefined {
  const names = (s: ConfigSnapshot) => Object.keys(s.servers);
  const changes: OutsideChanges = {
    serversAdded: names(now).filter((n) => !Object.hasOwn(before.servers, n)),
    serversRemoved: names(before).filter((n) => !Object.hasOwn(now.servers, n)),
    serversChanged: names(now).filter((n) => Object.hasOwn(before.servers, n) && before.servers[n] !== now.servers[n]),
    policy: before.policy !== now.policy,
    settings: before.settings !== now.settings,
  };
  const any = changes.serversAdded.length || changes.serversRemoved.length || changes.serversChanged.length || changes.policy || changes.settings;
  return any ? changes : undefined;
}
