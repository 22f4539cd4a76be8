// Moves the secrets of one server's env (or headers) into the OS keychain and returns the same record
// with references in their place. Nothing is written anywhere unless the keychain took every value.
import { secretReason } from './detect.js';
import type { Keychain } from './keychain.js';
import type { EnvValue } from './resolve.js';

/** The keychain account of one variable of one server: `<server>/<VARIABLE>`. */
export function secretAccount(server: string, variable: string): string {
  return `${server}/${variable}`;
}

/** Which names of a record hold secrets (pure). */
export function secretNames(values: Record<string, string>): string[] {
  return Object.entries(values)
    .filter(([name, value]) => secretReason(name, value) !== undefined)
    .map(([name]) => name);
}

/** Pure half: the record with references, and what has to go into the keychain. */
export function planSecretMove(server: string, values: Record<string, string>): { refs: Record<string, EnvValue>; moves: { account: string; value: string }[] } {
  const names = new Set(secretNames(values));
  const refs: Record<string, EnvValue> = {};
  const moves: { account: string; value: string }[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (names.has(name)) {
      const account = secretAccount(server, name);
      refs[name] = { secret: account };
      moves.push({ account, value });
    } else {
      refs[name] = value;
    }
  }
  return { refs, moves };
}

export async function storeSecrets(keychain: Keychain, moves: readonly { account: string; value: string }[]): Promise<void> {
  for (const { account, value } of moves) await keychain.set(account, value);
}
