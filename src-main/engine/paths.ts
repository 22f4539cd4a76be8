// Where Warden keeps its state. One data directory per engine; tests point WARDEN_DATA_DIR elsewhere.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Warden');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Warden');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Warden');
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WARDEN_DATA_DIR && env.WARDEN_DATA_DIR.trim() ? env.WARDEN_DATA_DIR : defaultDataDir(process.platform, env);
}

/** The files of one data directory. Every module asks here instead of joining names itself. */
export function dataPaths(dir: string) {
  return {
    dir,
    servers: join(dir, 'servers.json'),
    settings: join(dir, 'settings.json'),
    tokens: join(dir, 'tokens.json'),
    lock: join(dir, 'engine.lock'),
    /** Held for an instant while a stale engine.lock is removed (lock.ts). */
    lockTakeover: join(dir, 'engine.lock.takeover'),
    logs: join(dir, 'logs'),
    audit: join(dir, 'audit'),
    policy: join(dir, 'policy.json'),
    sandbox: join(dir, 'sandbox'),
    backups: join(dir, 'backups'),
  };
}
export type DataPaths = ReturnType<typeof dataPaths>;
