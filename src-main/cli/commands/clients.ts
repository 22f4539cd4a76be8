// `warden clients list|import|protect|unprotect`: the MCP clients on this machine, and routing their
// servers through Warden (and back). `--config PATH` works on one specific file instead of the
// client's usual ones.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ClientId, type ClientConfigFile } from '../../../shared/clients.js';
import { CLIENTS, clientRow, resolveClientPaths } from '../../engine/clients/catalog.js';
import type { ClientsContext } from '../../engine/clients/context.js';
import { currentPathContext, describeFile, listClients } from '../../engine/clients/detect.js';
import { ClientsError } from '../../engine/clients/errors.js';
import { importClient } from '../../engine/clients/import.js';
import { resolveLauncher } from '../../engine/clients/launcher.js';
import { commitProtect, planProtect } from '../../engine/clients/protect.js';
import { unprotectClient } from '../../engine/clients/unprotect.js';
import { ServerStore } from '../../engine/config/servers.js';
import { TokenStore } from '../../engine/gateway/tokens.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { OsKeychain } from '../../engine/secrets/keychain.js';
import { fail, printJson, table } from '../output.js';

export function cliClientsContext(): ClientsContext {
  const paths = dataPaths(dataDir());
  return {
    paths,
    servers: new ServerStore(paths),
    keychain: OsKeychain.forDataDir(paths.dir),
    launcher: resolveLauncher(),
    issueToken: (id) => void new TokenStore(paths).clientToken(id),
  };
}

function parseClient(id: string): ClientId {
  const parsed = ClientId.safeParse(id);
  if (!parsed.success) throw new ClientsError('client_unknown', `Unknown client \`${id}\`. Use one of: ${ClientId.options.join(', ')}.`);
  return parsed.data;
}

/** The files a command works on: `--config PATH`, or every existing file of the client. */
/** The client's config files to work on; `deletedToo`: also protected ones deleted since (unprotect puts them back). */
async function targetFiles(ctx: ClientsContext, client: ClientId, opts: { config?: string; project?: string }, deletedToo = false): Promise<string[]> {
  if (opts.config) {
    const path = resolve(opts.config);
    // Another client's own file would be read and rewritten with this client's format and name.
    const ctxPaths = currentPathContext();
    const own = resolveClientPaths(clientRow(client), ctxPaths).some((p) => p.path === path);
    const owner = own ? undefined : CLIENTS.find((row) => row.id !== client && resolveClientPaths(row, ctxPaths).some((p) => p.path === path));
    if (owner) throw new ClientsError('bad_input', `${path} is ${owner.displayName}'s config, not ${clientRow(client).displayName}'s. Use \`warden clients ... ${owner.id}\` for it. Nothing was changed.`, { path });
    return [path];
  }
  const paths = resolveClientPaths(clientRow(client), currentPathContext(opts.project ? resolve(opts.project) : undefined));
  const existing: string[] = [];
  for (const { scope, path } of paths) {
    const file = await describeFile(ctx, client, scope, path);
    if (file.exists || (deletedToo && file.protected)) existing.push(path);
  }
  if (existing.length === 0) {
    throw new ClientsError(
      'client_file_missing',
      `No MCP config of ${clientRow(client).displayName} found (looked in ${paths.map((p) => p.path).join(', ')}). Point at one with --config PATH.`,
    );
  }
  return existing;
}

function fileState(f: ClientConfigFile): string {
  if (!f.exists) return 'no file';
  if (f.error) return `unreadable [${f.error.code}]`;
  if (f.protected) return 'protected';
  if (f.entries.some((e) => e.state === 'protected')) return 'partly protected';
  return f.entries.some((e) => e.state === 'direct') ? 'not protected' : 'nothing to protect';
}

export function registerClientsCommands(program: Command): Command {
  const clients = program.command('clients').description('MCP clients on this machine (Claude Desktop, Cursor, VS Code, Windsurf, Claude Code)');

  clients
    .command('list')
    .description('detected clients, their config files, and whether their servers go through Warden')
    .option('--json', 'machine-readable output')
    .option('--project <dir>', 'also look at the project-scope files of this folder')
    .action(async (opts: { json?: boolean; project?: string }) => {
      try {
        const ctx = cliClientsContext();
        const infos = await listClients(ctx, currentPathContext(opts.project ? resolve(opts.project) : undefined));
        if (opts.json) return printJson(infos);
        const rows = [['CLIENT', 'SCOPE', 'STATE', 'SERVERS', 'FILE']];
        for (const info of infos) {
          for (const f of info.files) {
            if (!f.exists && !info.detected) continue;
            rows.push([info.id, f.scope, fileState(f), f.entries.map((e) => `${e.name}${e.state === 'skipped' ? '(skipped)' : ''}`).join(', ') || '-', f.path]);
          }
          if (!info.detected) rows.push([info.id, '-', 'not found', '-', '-']);
        }
        process.stdout.write(table(rows));
        for (const info of infos) {
          for (const f of info.files) {
            if (f.error) process.stdout.write(`\n${info.id}: ${f.error.message}\n`);
            for (const e of f.entries.filter((x) => x.state === 'skipped')) process.stdout.write(`\n${info.id} ${e.name}: left as it is: ${e.reason}\n`);
          }
        }
      } catch (error) {
        fail(error);
      }
    });

  clients
    .command('import')
    .description("add the client's servers to Warden (same names, args and env; secrets into the OS keychain); the client's file is not changed")
    .argument('<client>', ClientId.options.join(' | '))
    .option('--config <path>', 'a specific config file of this client')
    .option('--project <dir>', "also the client's project-scope files in this folder")
    .action(async (id: string, opts: { config?: string; project?: string }) => {
      try {
        const client = parseClient(id);
        const ctx = cliClientsContext();
        for (const path of await targetFiles(ctx, client, opts)) {
          const r = await importClient(ctx, client, path);
          process.stdout.write(`${path}\n`);
          process.stdout.write(`  imported: ${r.imported.join(', ') || 'none'}\n`);
          if (r.known.length) process.stdout.write(`  already in Warden: ${r.known.join(', ')}\n`);
          if (r.secretsMoved.length) process.stdout.write(`  secrets moved to the OS keychain: ${r.secretsMoved.join(', ')}\n`);
          for (const s of r.skipped) process.stdout.write(`  skipped ${s.name}: ${s.reason}\n`);
        }
      } catch (error) {
        fail(error);
      }
    });

  clients
    .command('protect')
    .description("route the client's servers through Warden (imports them first; the original is backed up and `unprotect` restores it)")
    .argument('<client>', ClientId.options.join(' | '))
    .option('--config <path>', 'a specific config file of this client')
    .option('--project <dir>', "also the client's project-scope files in this folder")
    .option('--dry-run', 'show what would change, change nothing')
    .action(async (id: string, opts: { config?: string; project?: string; dryRun?: boolean }) => {
      try {
        const client = parseClient(id);
        const ctx = cliClientsContext();
        for (const path of await targetFiles(ctx, client, opts)) {
          const plan = await planProtect(ctx, client, path);
          const v = plan.view;
          process.stdout.write(`${path}\n`);
          for (const s of v.skipped) process.stdout.write(`  left as it is: ${s.name}: ${s.reason}\n`);
          if (v.rewrites.length === 0) {
            process.stdout.write('  nothing to change: every server already goes through Warden or is left as it is.\n');
            continue;
          }
          process.stdout.write(`  through Warden: ${v.rewrites.join(', ')}\n`);
          if (v.imports.length) process.stdout.write(`  new Warden servers: ${v.imports.join(', ')}\n`);
          if (v.secretsMoved.length) process.stdout.write(`  secrets moved to the OS keychain: ${v.secretsMoved.join(', ')}\n`);
          process.stdout.write(`  command: ${[v.launcher.command, ...v.launcher.args, '<server>'].join(' ')} (${v.launcher.how})\n`);
          process.stdout.write(v.diff.replace(/^/gm, '  ').replace(/ {2}$/, ''));
          if (opts.dryRun) continue;
          const done = await commitProtect(ctx, plan);
          process.stdout.write(`  protected. Original saved in ${done.backup}; \`warden clients unprotect ${client}${opts.config ? ` --config ${path}` : ''}\` restores it. Restart ${clientRow(client).displayName} to use it.\n`);
        }
      } catch (error) {
        fail(error);
      }
    });

  clients
    .command('unprotect')
    .description("put the client's original config back (byte for byte when the client has not changed it since)")
    .argument('<client>', ClientId.options.join(' | '))
    .option('--config <path>', 'a specific config file of this client')
    .option('--project <dir>', "also the client's project-scope files in this folder")
    .action(async (id: string, opts: { config?: string; project?: string }) => {
      try {
        const client = parseClient(id);
        const ctx = cliClientsContext();
        const files = await targetFiles(ctx, client, opts, true);
        let done = 0;
        for (const path of files) {
          if (!opts.config && !(await describeFile(ctx, client, 'user', path)).protected) continue;
          const r = await unprotectClient(ctx, client, path);
          done++;
          process.stdout.write(
            r.restored === 'exact'
              ? `${path}: original restored, byte for byte.\n`
              : `${path}: the client changed this file since it was protected; its entries were put back and its other changes kept.\n`,
          );
        }
        if (done === 0) throw new ClientsError('client_not_protected', `${clientRow(client).displayName} is not protected by Warden. Nothing was changed.`);
      } catch (error) {
        fail(error);
      }
    });
  return clients;
}
