// Importing a client's servers into Warden without touching the client's file: each server keeps its
// name, command, args and env; secrets move to the OS keychain and the server holds references.
import type { ClientId } from '../../../shared/clients.js';
import { analyzeDocument } from './analyze.js';
import { clientRow } from './catalog.js';
import type { ClientsContext } from './context.js';
import { parseClientDocument } from './document.js';
import { requireClientFile } from './files.js';
import { importPlanned } from './protect.js';

export interface ImportResult {
  client: ClientId;
  path: string;
  imported: string[];
  /** Already in Warden with the same settings (or already going through Warden). */
  known: string[];
  skipped: { name: string; reason: string }[];
  secretsMoved: string[];
}

export async function importClient(ctx: ClientsContext, client: ClientId, path: string): Promise<ImportResult> {
  const row = clientRow(client);
  const file = await requireClientFile(path);
  const doc = parseClientDocument(row, file.text, path);
  const entries = await analyzeDocument(row, doc, ctx.servers, ctx.keychain, await ctx.keychain.status());
  const imported = await importPlanned(ctx, entries);
  return {
    client,
    path,
    imported,
    known: entries.filter((e) => e.known || e.state === 'protected').map((e) => e.name),
    skipped: entries.filter((e) => e.state === 'skipped').map((e) => ({ name: e.name, reason: e.reason ?? '' })),
    secretsMoved: entries.flatMap((e) => e.import?.moves.map((m) => m.account) ?? []),
  };
}
