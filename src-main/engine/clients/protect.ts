// Protecting a client's config file: plan (read, analyse, compute the new text and the diff; nothing
// written), then commit (import servers, move secrets, back up the original, write the new file
// atomically over exactly the bytes that were planned against).
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { ClientId, ProtectPlanView } from '../../../shared/clients.js';
import { WardenError } from '../errors.js';
import type { KeychainStatus } from '../secrets/keychain.js';
import { storeSecrets } from '../secrets/move.js';
import { analyzeDocument, type EntryAnalysis } from './analyze.js';
import { backupAccountPrefix, createBackup, readBackup, removeBackup, settleBackup, type BackupPart, type BackupRecord } from './backups.js';
import { clientRow, type ClientRow } from './catalog.js';
import { bridgeEnv, type ClientsContext } from './context.js';
import { spliceDiff } from './diff.js';
import { parseClientDocument } from './document.js';
import { wardenEntryKeys } from './entries.js';
import { ClientsError } from './errors.js';
import { requireClientFile, sha256, writeClientFile, type ClientFile } from './files.js';
import { connectCommand } from './launcher.js';
import { findSecrets } from './redact.js';
import { applySplices, rewriteSplices, type EntryRewrite } from './rewrite.js';

export interface ProtectPlan {
  row: ClientRow;
  file: ClientFile;
  entries: EntryAnalysis[];
  rewrites: EntryRewrite[];
  newText: string;
  /** The original as text and references; plus the secret literals that go to the keychain for it. */
  backupParts: BackupPart[];
  backupSecrets: { account: string; value: string }[];
  view: ProtectPlanView;
}

/** What the preview shows for a secret: in quotes where the secret is a string value. */
const MASK_TEXT = '••••••';
const MASK = `"${MASK_TEXT}"`;

export function rewritesFor(row: ClientRow, entries: readonly EntryAnalysis[], ctx: Pick<ClientsContext, 'launcher' | 'paths'>): EntryRewrite[] {
  return entries
    .filter((e) => e.state === 'direct')
    .map((e) => {
      const set = wardenEntryKeys(row, e.value, connectCommand(ctx.launcher, e.name, { ...bridgeEnv(ctx.paths), WARDEN_CLIENT: row.id }));
      const remove = row.transportKeys.filter((k) => e.value[k] !== undefined && !(k in set));
      return { path: e.path, remove, set };
    });
}

export async function planProtect(ctx: ClientsContext, client: ClientId, path: string, keychainStatus?: KeychainStatus): Promise<ProtectPlan> {
  const row = clientRow(client);
  const file = await requireClientFile(path);
  const doc = parseClientDocument(row, file.text, path);
  const status = keychainStatus ?? (await ctx.keychain.status());
  const entries = await analyzeDocument(row, doc, ctx.servers, ctx.keychain, status);
  const rewrites = rewritesFor(row, entries, ctx);
  const splices = rewriteSplices(file.text, rewrites);
  const newText = applySplices(file.text, splices);

  // The backup: secret literals become keychain references (or, with no keychain, references to the
  // same place in the client's file, where they stay because their entries are left as they are).
  const literals = findSecrets(doc.root, file.text);
  const prefix = backupAccountPrefix(path);
  const backupParts: BackupPart[] = [];
  const backupSecrets: { account: string; value: string }[] = [];
  let at = 0;
  literals.forEach((lit, i) => {
    backupParts.push(file.text.slice(at, lit.offset));
    const raw = file.text.slice(lit.offset, lit.offset + lit.length);
    if (status.available) {
      const account = `${prefix}${i}`;
      backupParts.push({ account });
      backupSecrets.push({ account, value: raw });
    } else if (lit.path) {
      backupParts.push({ clientPath: lit.path });
    } else {
      // A credential in a comment has no place to be referenced by: only the keychain can keep it.
      throw new ClientsError('keychain_unavailable', `Cannot protect ${path} without the OS keychain: a comment in it holds what looks like a credential, and the backup must not. ${status.reason}`, { path });
    }
    at = lit.offset + lit.length;
  });
  backupParts.push(file.text.slice(at));
  if (!status.available && literals.length > 0) {
    // Fail closed: every literal referenced in place must still be there, unchanged, after the rewrite.
    const after = parseTree(newText);
    for (const lit of literals) {
      const node = after && lit.path && findNodeAtLocation(after, lit.path);
      const raw = file.text.slice(lit.offset, lit.offset + lit.length);
      if (!node || newText.slice(node.offset, node.offset + node.length) !== raw) {
        throw new ClientsError('keychain_unavailable', `Cannot protect ${path} without the OS keychain: a secret there would be lost from the backup. ${status.reason}`, { path });
      }
    }
  }

  // Secret values never reach the preview: each secret is masked wherever its text shows in the diff
  // (found by its text, not by pairing quotes on a line, which a quote in a comment would throw off).
  const secretRaw = [...new Set(literals.map((lit) => file.text.slice(lit.offset, lit.offset + lit.length)))].sort((a, b) => b.length - a.length);
  let diff = spliceDiff(file.text, splices, { label: path });
  for (const raw of secretRaw) diff = diff.split(raw).join(raw.startsWith('"') ? MASK : MASK_TEXT);
  const shown: Omit<ProtectPlanView, 'baseHash'> = {
    client,
    path,
    imports: entries.filter((e) => e.import).map((e) => e.name),
    rewrites: entries.filter((e) => e.state === 'direct').map((e) => e.name),
    skipped: entries.filter((e) => e.state === 'skipped').map((e) => ({ name: e.name, reason: e.reason ?? '' })),
    secretsMoved: entries.flatMap((e) => e.import?.moves.map((m) => m.account) ?? []),
    diff,
    launcher: { command: ctx.launcher.command, args: ctx.launcher.args, how: ctx.launcher.how },
  };
  // The hash covers what the preview shows as well as the file: a protect confirmed against it writes
  // exactly what was shown, also when Warden's own servers changed in between (an entry that would
  // have been imported is now taken as already there, say).
  const view: ProtectPlanView = { ...shown, baseHash: sha256(Buffer.from(`${file.hash}\n${JSON.stringify(shown)}`, 'utf8')) };
  return { row, file, entries, rewrites, newText, backupParts, backupSecrets, view };
}

/** What an import changed so far: the keychain accounts it wrote (with what each held before), the servers it added. */
export interface Imported {
  accounts: { account: string; before: string | undefined }[];
  servers: string[];
}

/**
 * Imports what the plan imports: secrets into the keychain first, then the servers with references.
 * `done` records each step once it is taken, so that a protect that fails later can take them back.
 */
export async function importPlanned(ctx: ClientsContext, entries: readonly EntryAnalysis[], done: Imported = { accounts: [], servers: [] }): Promise<string[]> {
  for (const entry of entries) {
    if (!entry.import) continue;
    // Planned as new, but added since (another import or protect): its secrets are not touched.
    if (ctx.servers.get(entry.name)) {
      throw new WardenError('server_exists', `Warden gained a server named \`${entry.name}\` since this was planned, so nothing was imported over it. Look at the new preview and try again.`);
    }
    for (const { account, value } of entry.import.moves) {
      const before = await ctx.keychain.get(account);
      await ctx.keychain.set(account, value);
      done.accounts.push({ account, before });
    }
    ctx.servers.add(entry.import.config);
    done.servers.push(entry.name);
  }
  return done.servers;
}

/**
 * Takes back what importPlanned changed, newest first: the servers (none is left pointing at a secret
 * taken back), then each keychain account as it was before (deleted only if it held nothing).
 */
async function undoImport(ctx: ClientsContext, done: Imported): Promise<void> {
  for (const name of [...done.servers].reverse()) {
    try {
      ctx.servers.remove(name);
    } catch {
      // removed meanwhile
    }
  }
  for (const { account, before } of [...done.accounts].reverse()) {
    await (before === undefined ? ctx.keychain.delete(account) : ctx.keychain.set(account, before)).catch(() => undefined);
  }
}

export interface ProtectResult {
  view: ProtectPlanView;
  /** False when there was nothing to rewrite (every entry already protected or skipped). */
  written: boolean;
  backup?: string;
}

export async function commitProtect(ctx: ClientsContext, plan: ProtectPlan, expectHash?: string): Promise<ProtectResult> {
  const { file, view } = plan;
  if (expectHash !== undefined && expectHash !== view.baseHash) {
    throw new ClientsError('client_file_changed', `${file.path}, or what Warden would do with it, changed since the preview was made. Nothing was written; look at the new preview and try again.`, { path: file.path });
  }
  if (plan.rewrites.length === 0) return { view, written: false };
  const existing = await readBackup(ctx.paths.backups, file.path);
  if (existing) {
    throw new ClientsError(
      'client_file_changed',
      `Warden already protects ${file.path}, and it gained new servers since. Run \`warden clients unprotect ${view.client}\` first, then protect it again.`,
      { path: file.path },
    );
  }
  // Nothing is written at all when the file already moved on.
  const before = await requireClientFile(file.path);
  if (before.hash !== file.hash) {
    throw new ClientsError('client_file_changed', `${file.path} changed since Warden read it. Warden did not overwrite it; look at the file and try again.`, { path: file.path });
  }

  const record: BackupRecord = {
    version: 1,
    client: view.client,
    path: file.path,
    createdAt: new Date().toISOString(),
    originalHash: file.hash,
    writtenHash: sha256(Buffer.from(plan.newText, 'utf8')),
    parts: plan.backupParts,
    rewritten: plan.entries.filter((e) => e.state === 'direct').map((e) => ({ path: e.path, server: e.name })),
    pendingPid: process.pid,
  };
  // The backup first: it claims the file, and nothing else is done by a protect that loses the claim.
  const backup = await createBackup(ctx.paths.backups, record);
  const imported: Imported = { accounts: [], servers: [] };
  try {
    await importPlanned(ctx, plan.entries, imported);
    ctx.issueToken?.(view.client);
    await storeSecrets(ctx.keychain, plan.backupSecrets);
    await writeClientFile(file.path, plan.newText, file.hash);
  } catch (error) {
    // The client's file is as it was, so Warden is put back as it was too: no backup, and none of the
    // servers and secrets this protect imported (the client's token stays: it is Warden's own, in its data
    // directory, and the next protect uses it).
    await removeBackup(ctx.paths.backups, file.path);
    for (const { account } of plan.backupSecrets) await ctx.keychain.delete(account).catch(() => false);
    await undoImport(ctx, imported);
    throw error;
  }
  // The file is written: nothing may undo the backup now. Should this fail, an unprotect waits until
  // this process ends (or 10 minutes pass) instead.
  await settleBackup(ctx.paths.backups, record).catch(() => undefined);
  return { view, written: true, backup };
}

export async function protectClient(ctx: ClientsContext, client: ClientId, path: string, expectHash?: string): Promise<ProtectResult> {
  return commitProtect(ctx, await planProtect(ctx, client, path), expectHash);
}
