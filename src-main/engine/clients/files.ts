// Reading and writing a client's config file. Every write is atomic (write-file-atomic: a temp file
// beside the target, fsync, rename; symlinks followed, mode and owner kept), and happens only if the
// file still holds exactly the bytes Warden planned against: a change the client made in between is
// reported, never overwritten.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ClientsError } from './errors.js';

export interface ClientFile {
  path: string;
  bytes: Buffer;
  text: string;
  hash: string;
  mtimeMs: number;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The file, or undefined when it does not exist. A file that is not UTF-8 is refused as malformed. */
export async function readClientFile(path: string): Promise<ClientFile | undefined> {
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    [bytes, mtimeMs] = await Promise.all([readFile(path), stat(path).then((s) => s.mtimeMs)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ClientsError('client_file_unusable', `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Warden did not change it; check its permissions.`, { path });
  }
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new ClientsError('client_file_malformed', `${path} is not UTF-8 text. Warden did not change it.`, { path });
  }
  return { path, bytes, text, hash: sha256(bytes), mtimeMs };
}

export async function requireClientFile(path: string): Promise<ClientFile> {
  const file = await readClientFile(path);
  if (!file) throw new ClientsError('client_file_missing', `${path} does not exist. Nothing to do.`, { path });
  return file;
}

/** Throws `client_file_changed` unless the file still hashes to `expectedHash`. */
export async function assertUnchanged(path: string, expectedHash: string): Promise<void> {
  const now = await readClientFile(path);
  if (!now || now.hash !== expectedHash) {
    throw new ClientsError(
      'client_file_changed',
      `${path} changed since Warden read it (the client or someone else wrote to it). Warden did not overwrite it; look at the file and try again.`,
      { path },
    );
  }
}

/**
 * Atomic write, only over the bytes Warden read (`expectedHash`). A file the person made read-only is
 * not replaced (a rename would get past its mode): that is theirs to change.
 */
export async function writeClientFile(path: string, text: string, expectedHash: string): Promise<void> {
  await assertUnchanged(path, expectedHash);
  // Its owner's write bit, not access(): an administrator (root) may write anything, yet a file made
  // read-only on purpose stays so.
  if (((await stat(path)).mode & 0o200) === 0) {
    throw new ClientsError('client_file_unusable', `${path} is read-only. Warden did not change it; make it writable first if it should.`, { path });
  }
  try {
    await writeFileAtomic(path, text, { fsync: true });
  } catch (error) {
    // The temporary file beside it could not be made (a read-only folder, a full disk): the file is as it was.
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClientsError('client_file_unusable', `${path} could not be rewritten (${code ?? (error as Error).message}: its folder must be writable, with space for a copy of it). Warden did not change it.`, { path });
  }
}

/** Writes a file that does not exist (its folder made if need be); refused if one appeared meanwhile. */
export async function createClientFile(path: string, text: string): Promise<void> {
  if (await readClientFile(path)) {
    throw new ClientsError('client_file_changed', `${path} appeared while Warden was putting the original back. Warden did not overwrite it; look at the file and try again.`, { path });
  }
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, text, { fsync: true, mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClientsError('client_file_unusable', `${path} could not be written (${code ?? (error as Error).message}). Nothing was changed.`, { path });
  }
}
