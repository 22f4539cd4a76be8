// Turns a server's env (plain values and `{ "secret": "<account>" }` references) into the plain
// environment the server is started with. The downstream launcher calls this when it starts a server;
// the values exist only in that process's environment, never in a file.
import { dataDir as currentDataDir } from '../paths.js';
import { ClientsError } from '../clients/errors.js';
import { OsKeychain, type Keychain } from './keychain.js';

export type EnvValue = string | { secret: string };

export interface ResolveOptions {
  /** The data directory whose keychain service holds the secrets (default: WARDEN_DATA_DIR / the default). */
  dataDir?: string;
  keychain?: Keychain;
}

function keychainFor(options: ResolveOptions): Keychain {
  return options.keychain ?? OsKeychain.forDataDir(options.dataDir ?? currentDataDir());
}

/** The value of one secret. Rejects with `secret_missing` or `keychain_unavailable`, never with a value. */
export async function resolveSecret(account: string, options: ResolveOptions = {}): Promise<string> {
  const keychain = keychainFor(options);
  const value = await keychain.get(account);
  if (value === undefined) {
    throw new ClientsError(
      'secret_missing',
      `Secret \`${account}\` is not in the OS keychain (service "${keychain.service}"). Set it with \`warden secrets set ${account}\`.`,
      { account },
    );
  }
  return value;
}

/** Plain env for a server: every reference replaced by its value from the keychain. */
export async function resolveEnv(env: Record<string, EnvValue>, options: ResolveOptions = {}): Promise<Record<string, string>> {
  const keychain = keychainFor(options);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    out[name] = typeof value === 'string' ? value : await resolveSecret(value.secret, { ...options, keychain });
  }
  return out;
}
