// Which clients are installed, where their MCP config files are, and what each file holds.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { ClientConfigFile, ClientEntry, ClientId, ClientInfo, ClientScope } from '../../../shared/clients.js';
import { analyzeDocument, entrySummary } from './analyze.js';
import { readBackup } from './backups.js';
import { CLIENTS, clientRow, resolveClientPaths, resolveInstalledMarkers, type PathContext } from './catalog.js';
import type { ClientsContext } from './context.js';
import { parseClientDocument } from './document.js';
import { ClientsError } from './errors.js';
import { readClientFile } from './files.js';
import type { KeychainStatus } from '../secrets/keychain.js';

export function currentPathContext(projectDir?: string): PathContext {
  const ctx: PathContext = { platform: process.platform, home: homedir(), env: process.env };
  if (projectDir) ctx.projectDir = projectDir;
  return ctx;
}

export async function describeFile(ctx: ClientsContext, client: ClientId, scope: ClientScope, path: string, status?: KeychainStatus): Promise<ClientConfigFile> {
  // A damaged backup still means Warden rewrote the file: it shows as protected, with the damage as its
  // error, so that unprotect says what is wrong instead of "not protected".
  let backupError: ClientsError | undefined;
  const protectedNow = await readBackup(ctx.paths.backups, path).then(
    (backup) => backup !== undefined,
    (error: unknown) => {
      backupError = error instanceof ClientsError ? error : new ClientsError('backup_invalid', `Warden's backup of ${path} cannot be read: ${String(error)}`);
      return true;
    },
  );
  const view = await describeContent(ctx, client, scope, path, protectedNow, status);
  return backupError && !view.error ? { ...view, error: { code: backupError.code, message: backupError.message } } : view;
}

async function describeContent(ctx: ClientsContext, client: ClientId, scope: ClientScope, path: string, protectedNow: boolean, status?: KeychainStatus): Promise<ClientConfigFile> {
  const row = clientRow(client);
  const base = { client, scope, path, protected: protectedNow };
  let file;
  try {
    file = await readClientFile(path);
  } catch (error) {
    const e = error instanceof ClientsError ? error : new ClientsError('client_file_missing', String(error));
    return { ...base, exists: true, error: { code: e.code, message: e.message }, entries: [] };
  }
  if (!file) return { ...base, exists: false, entries: [] };
  try {
    const doc = parseClientDocument(row, file.text, path);
    const entries = await analyzeDocument(row, doc, ctx.servers, ctx.keychain, status ?? (await ctx.keychain.status()));
    return {
      ...base,
      exists: true,
      entries: entries.map((e): ClientEntry => {
        const out: ClientEntry = {
          name: e.name,
          transport: e.server?.transport ?? 'stdio',
          summary: e.server ? entrySummary(e.server) : '',
          state: e.state,
          secrets: e.secrets,
        };
        if (e.reason) out.reason = e.reason;
        return out;
      }),
    };
  } catch (error) {
    if (!(error instanceof ClientsError)) throw error;
    return { ...base, exists: true, error: { code: error.code, message: error.message }, entries: [] };
  }
}

export async function listClients(ctx: ClientsContext, pathCtx: PathContext = currentPathContext()): Promise<ClientInfo[]> {
  const status = await ctx.keychain.status();
  const out: ClientInfo[] = [];
  for (const row of CLIENTS) {
    const files: ClientConfigFile[] = [];
    for (const { scope, path } of resolveClientPaths(row, pathCtx)) files.push(await describeFile(ctx, row.id, scope, path, status));
    const detected = files.some((f) => f.exists) || resolveInstalledMarkers(row, pathCtx).some((p) => existsSync(p));
    out.push({ id: row.id, displayName: row.displayName, detected, files });
  }
  return out;
}
