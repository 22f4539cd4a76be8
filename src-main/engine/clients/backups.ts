// The backup of a client's config file taken before Warden rewrote it, under the data directory's
// backups folder. Secret values are not in it: each one is stored as a reference (to the OS keychain,
// or, when there was no keychain, to the same place in the client's file where it was left), so the
// data directory holds no secret and the original can still be put back byte for byte.
import { existsSync, realpathSync } from 'node:fs';
import { link, mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { JSONPath } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { ClientId } from '../../../shared/clients.js';
import { ClientsError } from './errors.js';
import { sha256 } from './files.js';

const JsonPath = z.array(z.union([z.string(), z.number()]));

export const BackupPart = z.union([z.string(), z.object({ account: z.string() }), z.object({ clientPath: JsonPath })]);
export type BackupPart = z.infer<typeof BackupPart>;

export const BackupRecord = z.object({
  version: z.literal(1),
  client: ClientId,
  path: z.string(),
  createdAt: z.string(),
  /** sha256 of the original bytes. */
  originalHash: z.string(),
  /** sha256 of what Warden wrote: the file is "as Warden left it" while it still hashes to this. */
  writtenHash: z.string(),
  /** The original text as a sequence of plain text and references to secret literals. */
  parts: z.array(BackupPart),
  /** The entries Warden rewrote, and the server each now goes to. */
  rewritten: z.array(z.object({ path: JsonPath, server: z.string() })),
  /**
   * The process still protecting the file (its import and rewrite come after the backup): set while
   * that protect runs, so that an unprotect meanwhile does not take the backup away under it.
   */
  pendingPid: z.number().int().optional(),
});
export type BackupRecord = z.infer<typeof BackupRecord>;

/** The backup's file as named by the path as given (how backups were named before they were named by the real path). */
function backupPathAsGiven(backupsDir: string, clientFilePath: string): string {
  const safe = basename(clientFilePath).replace(/[^A-Za-z0-9._-]/g, '_');
  return join(backupsDir, 'clients', `${safe}-${sha256(clientFilePath).slice(0, 16)}.json`);
}

/**
 * The backup's file, named by the client file's real path: a file protected through a symlink is the
 * same file when it is unprotected by its real path (or through another link).
 */
export function backupPath(backupsDir: string, clientFilePath: string): string {
  let real = clientFilePath;
  try {
    real = realpathSync.native(clientFilePath);
  } catch {
    // gone or unreadable: named by the path as given
  }
  return backupPathAsGiven(backupsDir, real);
}

/** The backup that exists for this file: by its real path, else one named by the path as given. */
function existingBackupPath(backupsDir: string, clientFilePath: string): string {
  const real = backupPath(backupsDir, clientFilePath);
  const given = backupPathAsGiven(backupsDir, clientFilePath);
  return real !== given && !existsSync(real) && existsSync(given) ? given : real;
}

/** Keychain accounts for the secret literals of one backup. */
export function backupAccountPrefix(clientFilePath: string): string {
  return `backup/${sha256(clientFilePath).slice(0, 16)}/`;
}

export async function readBackup(backupsDir: string, clientFilePath: string): Promise<BackupRecord | undefined> {
  const file = existingBackupPath(backupsDir, clientFilePath);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const record = BackupRecord.safeParse(parsed);
  if (!record.success) {
    throw new ClientsError('backup_invalid', `Warden's backup ${file} of ${clientFilePath} is damaged. Nothing was changed; restore the client's file by hand.`, { path: file });
  }
  return record.data;
}

/**
 * Writes the backup only if there is none: the backup is also the claim on the client's file, so two
 * protects at once (two processes, two requests) cannot both go on and one's cleanup remove the other's
 * backup. Written whole to a temporary file, then linked into place, which fails if the name exists.
 */
export async function createBackup(backupsDir: string, record: BackupRecord): Promise<string> {
  const file = backupPath(backupsDir, record.path);
  await mkdir(join(backupsDir, 'clients'), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFileAtomic(temp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, fsync: true });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new ClientsError(
      'client_file_changed',
      `Warden is already protecting ${record.path} (another protect got there first). Nothing was changed by this one; see \`warden clients list\`.`,
      { path: record.path },
    );
  } finally {
    await rm(temp, { force: true });
  }
  return file;
}

/** The protect that wrote this backup is done: it no longer holds the file (clears `pendingPid`). */
export async function settleBackup(backupsDir: string, record: BackupRecord): Promise<void> {
  const { pendingPid: _done, ...settled } = record;
  await writeFileAtomic(backupPath(backupsDir, record.path), JSON.stringify(settled, null, 2) + '\n', { mode: 0o600, fsync: true });
}

/** A protect older than this is not running any more, whatever process now has its pid. */
const PROTECT_STALE_MS = 10 * 60_000;

/** Whether the protect that wrote this backup may still be running (its process is alive, and it is recent). */
export function protectRunning(record: BackupRecord, now = Date.now()): boolean {
  if (record.pendingPid === undefined || now - Date.parse(record.createdAt) > PROTECT_STALE_MS) return false;
  try {
    process.kill(record.pendingPid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function removeBackup(backupsDir: string, clientFilePath: string): Promise<void> {
  await rm(existingBackupPath(backupsDir, clientFilePath), { force: true });
}

export type { JSONPath };
