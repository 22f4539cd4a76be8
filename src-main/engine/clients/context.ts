// What the clients operations need from the rest of Warden: the data directory's files, the server
// store, the OS keychain and the command that starts the stdio bridge.
import type { DataPaths } from '../paths.js';
import { defaultDataDir } from '../paths.js';
import type { Keychain } from '../secrets/keychain.js';
import type { ServerRegistry } from './analyze.js';
import type { Launcher } from './launcher.js';

export interface ClientsContext {
  paths: DataPaths;
  servers: ServerRegistry;
  keychain: Keychain;
  launcher: Launcher;
  /** Issues the client's token (engine/gateway/tokens.ts) when it is protected: `warden connect` reads
   *  WARDEN_CLIENT from the entry's env and presents that client's token, so calls are told apart. */
  issueToken?(clientId: string): void;
}

/** Env written into a rewritten entry so the bridge reaches this data directory's engine: nothing for
 *  the default directory, WARDEN_DATA_DIR for any other (a second profile, the tests). */
export function bridgeEnv(paths: DataPaths): Record<string, string> {
  return paths.dir === defaultDataDir() ? {} : { WARDEN_DATA_DIR: paths.dir };
}
