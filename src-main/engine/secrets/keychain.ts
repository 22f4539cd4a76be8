// The OS keychain: macOS Keychain, Windows Credential Manager, the Secret Service on Linux (GNOME
// Keyring, KWallet). Through @napi-rs/keyring, not keytar: keytar (named in the design card) was
// archived in 2022 and needs a native build per Electron version, while @napi-rs/keyring is
// maintained, ships prebuilt N-API binaries (one build for Node and Electron alike) and keeps keytar's
// service/account model.
//
// On Linux the store is pinned to the Secret Service. The library would otherwise fall back to the
// kernel keyring, which forgets everything at logout: a secret moved there would be lost for good.
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';
import { ClientsError } from '../clients/errors.js';
import { defaultDataDir } from '../paths.js';

const OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

// Loaded on first use: the native library adds about 12 MB to a process that never touches a secret.
let keyring: Promise<typeof import('@napi-rs/keyring')> | undefined;
const loadKeyring = () => (keyring ??= import('@napi-rs/keyring'));

/** One keychain service per data directory: "Warden" for the person's own, a distinct one for any
 *  other (tests, a second profile), so that two Warden installs never read each other's secrets. */
export function keychainService(dataDir: string): string {
  return dataDir === defaultDataDir() ? 'Warden' : `Warden (${dataDir})`;
}

export type KeychainStatus = { available: true } | { available: false; reason: string };

export interface Keychain {
  readonly service: string;
  status(): Promise<KeychainStatus>;
  get(account: string): Promise<string | undefined>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** Account names only: values never leave this module through a listing. */
  accounts(): Promise<string[]>;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}

function unavailable(service: string, error: unknown): ClientsError {
  return new ClientsError('keychain_unavailable', keychainUnavailableMessage(describe(error)), { service });
}

export function keychainUnavailableMessage(reason: string): string {
  const hint =
    process.platform === 'linux'
      ? ' On Linux Warden needs a Secret Service (GNOME Keyring or KWallet) in your D-Bus session; on a headless machine run Warden inside `dbus-run-session` with gnome-keyring-daemon unlocked.'
      : '';
  return `The OS keychain is not available (${reason}). Secrets were left where they were and written nowhere else.${hint}`;
}

export class OsKeychain implements Keychain {
  constructor(readonly service: string) {}

  static forDataDir(dataDir: string): OsKeychain {
    return new OsKeychain(keychainService(dataDir));
  }

  async #entry(account: string): Promise<AsyncEntry> {
    const { AsyncEntry } = await loadKeyring();
    return new AsyncEntry(this.service, account, OPTIONS);
  }

  async status(): Promise<KeychainStatus> {
    try {
      // A read of an account that never exists: it reaches the store without changing it.
      await (await this.#entry('warden-probe')).getPassword();
      return { available: true };
    } catch (error) {
      return { available: false, reason: keychainUnavailableMessage(describe(error)) };
    }
  }

  async get(account: string): Promise<string | undefined> {
    try {
      return (await (await this.#entry(account)).getPassword()) ?? undefined;
    } catch (error) {
      throw unavailable(this.service, error);
    }
  }

  async set(account: string, value: string): Promise<void> {
    try {
      await (await this.#entry(account)).setPassword(value);
    } catch (error) {
      throw unavailable(this.service, error);
    }
  }

  async delete(account: string): Promise<boolean> {
    try {
      return await (await this.#entry(account)).deletePassword();
    } catch (error) {
      throw unavailable(this.service, error);
    }
  }

  async accounts(): Promise<string[]> {
    const status = await this.status();
    if (!status.available) throw new ClientsError('keychain_unavailable', status.reason, { service: this.service });
    try {
      const { findCredentialsAsync } = await loadKeyring();
      const found = await findCredentialsAsync(this.service);
      return found.map((c) => c.account).filter((a) => a !== 'warden-probe').sort();
    } catch (error) {
      throw unavailable(this.service, error);
    }
  }
}
