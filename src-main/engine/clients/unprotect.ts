// Undoing protect. While the client's file is exactly as Warden left it, the original bytes come back
// (secret literals fetched from the keychain). If the client changed the file since, only the entries
// Warden rewrote (and that still go through Warden) get their transport keys back (command, args, env,
// url, ...), and the client's other changes stay, inside those entries too.
import { findNodeAtLocation, parseTree, type JSONPath } from 'jsonc-parser';
import type { ClientId, UnprotectResult } from '../../../shared/clients.js';
import { protectRunning, readBackup, removeBackup, type BackupPart, type BackupRecord } from './backups.js';
import { clientRow, type ClientRow } from './catalog.js';
import type { ClientsContext } from './context.js';
import { nodeValue, parseClientDocument } from './document.js';
import { normalizeEntry, wardenServerOf } from './entries.js';
import { ClientsError } from './errors.js';
import { createClientFile, readClientFile, sha256, writeClientFile } from './files.js';
import { applyRewrites, type EntryRewrite } from './rewrite.js';

function rawAt(text: string, path: JSONPath): string | undefined {
  const root = parseTree(text);
  const node = root && findNodeAtLocation(root, path);
  return node ? text.slice(node.offset, node.offset + node.length) : undefined;
}

/** A part of the original that could not be filled in (a keychain item gone, a value moved), and where it sat. */
interface Gap {
  start: number;
  end: number;
  part: Exclude<BackupPart, string>;
}

/**
 * The original text rebuilt from the backup. A part that cannot be filled in is left as `""` and
 * named in `gaps`: the original is then not exact, but the entries outside the gaps can still be put back.
 */
async function rebuild(ctx: ClientsContext, parts: readonly BackupPart[], current: string): Promise<{ text: string; gaps: Gap[] }> {
  let text = '';
  const gaps: Gap[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    const value = 'account' in part ? await ctx.keychain.get(part.account) : rawAt(current, part.clientPath);
    if (value === undefined) gaps.push({ start: text.length, end: text.length + 2, part });
    text += value ?? '""';
  }
  return { text, gaps };
}

function gapError(path: string, gap: Gap): ClientsError {
  return 'account' in gap.part
    ? new ClientsError('secret_missing', `A secret of the original ${path} is gone from the OS keychain (${gap.part.account}). Warden did not change the file; restore it by hand.`, { path })
    : new ClientsError('backup_invalid', `A value of the original ${path} is no longer where it was. Warden did not change the file.`, { path });
}

export async function unprotectClient(ctx: ClientsContext, client: ClientId, path: string): Promise<UnprotectResult> {
  const row = clientRow(client);
  const backup = await readBackup(ctx.paths.backups, path);
  if (!backup) {
    throw new ClientsError('client_not_protected', `${path} is not protected by Warden (no backup of it in ${ctx.paths.backups}). Nothing was changed.`, { path });
  }
  if (protectRunning(backup)) {
    // Its import and rewrite come after the backup: taking the backup away now would leave the file
    // rewritten with no way back.
    throw new ClientsError('client_file_changed', `Warden is protecting ${path} right now (process ${backup.pendingPid}). Nothing was changed; try again once that is done.`, { path });
  }
  const current = await readClientFile(path);
  const forget = async () => {
    await removeBackup(ctx.paths.backups, path);
    for (const part of backup.parts) {
      if (typeof part !== 'string' && 'account' in part) await ctx.keychain.delete(part.account).catch(() => false);
    }
  };
  if (!current) {
    // The file was deleted or moved since (a client reinstalled): the original is put back where it was.
    const { text: original, gaps } = await rebuild(ctx, backup.parts, '');
    if (gaps.length > 0) throw gapError(path, gaps[0]!);
    if (sha256(Buffer.from(original, 'utf8')) !== backup.originalHash) {
      throw new ClientsError('backup_invalid', `Warden's backup of ${path} does not rebuild the original. Nothing was written.`, { path });
    }
    await createClientFile(path, original);
    await forget();
    return { client, path, restored: 'exact' };
  }
  if (current.hash === backup.originalHash && current.hash !== backup.writtenHash) {
    // A protect that stopped before it wrote the file (its process ended): the file is the original.
    await forget();
    return { client, path, restored: 'exact' };
  }
  const { text: original, gaps } = await rebuild(ctx, backup.parts, current.text);
  // Exact only while the file is as Warden left it and every part of the original is there.
  const exact = current.hash === backup.writtenHash && gaps.length === 0;
  // A value left in the client's file that moved although the file is as Warden left it: the backup is off.
  const moved = gaps.find((gap) => !('account' in gap.part));
  if (moved && current.hash === backup.writtenHash) throw gapError(path, moved);

  // The rebuilt original must be the original, whatever is then put back: a backup edited since would
  // otherwise write its edit into the client's file. (Parts left in the client's file, when there was no
  // keychain, may have changed with the file; then the entries alone are checked, by what they go to.)
  const selfContained = backup.parts.every((part) => typeof part === 'string' || 'account' in part);
  if ((exact || (selfContained && gaps.length === 0)) && sha256(Buffer.from(original, 'utf8')) !== backup.originalHash) {
    throw new ClientsError('backup_invalid', `Warden's backup of ${path} does not rebuild the original. Warden did not change the file.`, { path });
  }
  let restored: string;
  if (exact) {
    restored = original;
  } else {
    restored = restoreEntries(row, path, current.text, original, gaps, backup.rewritten);
  }

  await writeClientFile(path, restored, current.hash);
  await forget();
  return { client, path, restored: exact ? 'exact' : 'entries' };
}

/**
 * Puts back, in the client's current text, how each entry Warden rewrote reached its server (the keys
 * protect removed or set; `type` among them), and nothing else. An entry is found where it was, or,
 * renamed or moved since, by the Warden server it still goes to. One the client removed, or pointed
 * elsewhere, is left as it is.
 */
function restoreEntries(row: ClientRow, path: string, currentText: string, original: string, gaps: Gap[], rewritten: BackupRecord['rewritten']): string {
  const doc = parseClientDocument(row, currentText, path);
  const originalRoot = parseTree(original);
  const through = new Map<string, JSONPath[]>();
  for (const entry of doc.maps.flatMap((map) => map.entries)) {
    const normalized = normalizeEntry(row, entry.value);
    const server = normalized.ok ? wardenServerOf(normalized.server) : undefined;
    if (server !== undefined) through.set(server, [...(through.get(server) ?? []), entry.path]);
  }
  const taken = new Set<string>();
  // One rewrite per entry, spliced into the text: the cost follows the entries, not the file's size.
  const rewrites: EntryRewrite[] = [];
  for (const { path: entryPath, server } of rewritten) {
    const was = originalRoot && findNodeAtLocation(originalRoot, entryPath);
    const candidates = through.get(server) ?? [];
    const key = (p: JSONPath) => JSON.stringify(p);
    const target = candidates.find((p) => key(p) === key(entryPath) && !taken.has(key(p))) ?? candidates.find((p) => !taken.has(key(p)));
    if (!was || !target) continue;
    const gap = gaps.find((g) => g.start < was.offset + was.length && g.end > was.offset);
    if (gap) throw gapError(path, gap);
    taken.add(key(target));
    const now = findNodeAtLocation(doc.root, target)!;
    const nowValue = nodeValue(now) as Record<string, unknown>;
    const wasValue = nodeValue(was) as Record<string, unknown>;
    const rewrite: EntryRewrite = { path: target, remove: [], set: {} };
    for (const k of row.transportKeys) {
      if (k in wasValue) rewrite.set[k] = wasValue[k];
      else if (k in nowValue) rewrite.remove.push(k);
    }
    rewrites.push(rewrite);
  }
  return applyRewrites(currentText, rewrites);
}
