// Undoing protect. While the client's file is exactly as Warden left it, the original bytes come back
// (secret literals fetched from the keychain). If the client changed the file since, only the entries
// Warden rewrote (and that still go through Warden) get their transport keys back (command, args, env,
// url, ...), and the client's other changes stay, inside those entries too.
import { findNodeAtLocation, parseTree, type JSONPath } from 'jsonc-parser';
import type { ClientId, UnprotectResult } from '../../../shared/clients.js';
import { joinParts, readBackup, removeBackup, type BackupPart } from './backups.js';
import { clientRow } from './catalog.js';
import type { ClientsContext } from './context.js';
import { nodeValue, parseClientDocument } from './document.js';
import { normalizeEntry, wardenServerOf } from './entries.js';
import { ClientsError } from './errors.js';
import { requireClientFile, sha256, writeClientFile } from './files.js';
import { replaceValues } from './rewrite.js';

function rawAt(text: string, path: JSONPath): string | undefined {
  const root = parseTree(text);
  const node = root && findNodeAtLocation(root, path);
  return node ? text.slice(node.offset, node.offset + node.length) : undefined;
}

export async function unprotectClient(ctx: ClientsContext, client: ClientId, path: string): Promise<UnprotectResult> {
  const row = clientRow(client);
  const backup = await readBackup(ctx.paths.backups, path);
  if (!backup) {
    throw new ClientsError('client_not_protected', `${path} is not protected by Warden (no backup of it in ${ctx.paths.backups}). Nothing was changed.`, { path });
  }
  const current = await requireClientFile(path);
  const exact = current.hash === backup.writtenHash;

  const lookup = async (part: Exclude<BackupPart, string>): Promise<string> => {
    if ('account' in part) {
      const value = await ctx.keychain.get(part.account);
      if (value === undefined) {
        throw new ClientsError('secret_missing', `A secret of the original ${path} is gone from the OS keychain (${part.account}). Warden did not change the file; restore it by hand.`, { path });
      }
      return value;
    }
    const raw = rawAt(current.text, part.clientPath);
    if (raw !== undefined) return raw;
    if (!exact) return '""'; // left in place in an entry Warden never rewrote: not needed to put entries back
    throw new ClientsError('backup_invalid', `A value of the original ${path} is no longer where it was. Warden did not change the file.`, { path });
  };
  const original = await joinParts(backup.parts, lookup);

  // The rebuilt original must be the original, whatever is then put back: a backup edited since would
  // otherwise write its edit into the client's file. (Parts left in the client's file, when there was no
  // keychain, may have changed with the file; then the entries alone are checked, by what they go to.)
  const selfContained = backup.parts.every((part) => typeof part === 'string' || 'account' in part);
  if ((exact || selfContained) && sha256(Buffer.from(original, 'utf8')) !== backup.originalHash) {
    throw new ClientsError('backup_invalid', `Warden's backup of ${path} does not rebuild the original. Warden did not change the file.`, { path });
  }
  let restored: string;
  if (exact) {
    restored = original;
  } else {
    const doc = parseClientDocument(row, current.text, path);
    const originalRoot = parseTree(original);
    const puts: { path: JSONPath; value: unknown }[] = [];
    for (const { path: entryPath, server } of backup.rewritten) {
      const now = findNodeAtLocation(doc.root, entryPath);
      const was = originalRoot && findNodeAtLocation(originalRoot, entryPath);
      if (!now || !was) continue;
      const normalized = normalizeEntry(row, nodeValue(now));
      if (!normalized.ok || wardenServerOf(normalized.server) !== server) continue;
      // Only what protect changed goes back: the keys that say how the server is reached (the same
      // keys protect removes or sets; `type` among them).
      const nowValue = nodeValue(now) as Record<string, unknown>;
      const wasValue = nodeValue(was) as Record<string, unknown>;
      for (const key of row.transportKeys) {
        if (key in wasValue) puts.push({ path: [...entryPath, key], value: wasValue[key] });
        else if (key in nowValue) puts.push({ path: [...entryPath, key], value: undefined });
      }
    }
    restored = replaceValues(current.text, puts);
  }

  await writeClientFile(path, restored, current.hash);
  await removeBackup(ctx.paths.backups, path);
  for (const part of backup.parts) {
    if (typeof part !== 'string' && 'account' in part) await ctx.keychain.delete(part.account).catch(() => false);
  }
  return { client, path, restored: exact ? 'exact' : 'entries' };
}
