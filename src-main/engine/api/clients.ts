// Engine-side handlers for shared/api/clients.ts. The UI names a file by client and path; only that
// client's own config files are accepted, so the API cannot be used to rewrite any other file.
import { sep } from 'node:path';
import type { Handlers } from '../../../shared/api/contract.js';
import type { clientMethods } from '../../../shared/api/clients.js';
import type { ClientId } from '../../../shared/clients.js';
import { clientRow, resolveClientPaths } from '../clients/catalog.js';
import type { ClientsContext } from '../clients/context.js';
import { currentPathContext, listClients } from '../clients/detect.js';
import { ClientsError } from '../clients/errors.js';
import { importClient } from '../clients/import.js';
import { resolveLauncher } from '../clients/launcher.js';
import { commitProtect, planProtect } from '../clients/protect.js';
import { unprotectClient } from '../clients/unprotect.js';
import type { Engine } from '../engine.js';
import { OsKeychain } from '../secrets/keychain.js';

/** Accepts the client's user-scope files and any project-scope file (`<project>/.vscode/mcp.json`, ...). */
export function checkClientPath(client: ClientId, path: string): void {
  const row = clientRow(client);
  const known = resolveClientPaths(row, currentPathContext()).map((p) => p.path);
  const projectFile = row.project.some((rel) => path.endsWith(sep + rel.split('/').join(sep)));
  if (!known.includes(path) && !projectFile) {
    throw new ClientsError('bad_input', `${path} is not a config file of ${row.displayName}. Known: ${[...known, ...row.project.map((r) => `<project>/${r}`)].join(', ')}.`);
  }
}

export function clientHandlers(engine: Engine): Handlers<typeof clientMethods> {
  const ctx = (): ClientsContext => ({
    paths: engine.paths,
    servers: engine.servers,
    keychain: OsKeychain.forDataDir(engine.paths.dir),
    launcher: resolveLauncher(),
    issueToken: (id) => void engine.tokens.clientToken(id),
  });
  const changed = (client: ClientId, path: string) => {
    engine.emit('clients.changed', { client, path });
    engine.emit('servers.changed', { servers: engine.serverViews() });
  };
  return {
    'clients.list': async ({ projectDir }) => listClients(ctx(), currentPathContext(projectDir)),
    'clients.preview': async ({ client, path }) => {
      checkClientPath(client, path);
      return (await planProtect(ctx(), client, path)).view;
    },
    'clients.protect': async ({ client, path, expectHash }) => {
      checkClientPath(client, path);
      const c = ctx();
      const result = await commitProtect(c, await planProtect(c, client, path), expectHash);
      if (result.written) {
        await engine.audit.event('client.protected', { client, path, servers: result.view.rewrites, imported: result.view.imports, secretsMoved: result.view.secretsMoved.length });
        changed(client, path);
      }
      return { view: result.view, written: result.written };
    },
    'clients.unprotect': async ({ client, path }) => {
      checkClientPath(client, path);
      const result = await unprotectClient(ctx(), client, path);
      await engine.audit.event('client.unprotected', { client, path, restored: result.restored });
      changed(client, path);
      return result;
    },
    'clients.import': async ({ client, path }) => {
      checkClientPath(client, path);
      const result = await importClient(ctx(), client, path);
      if (result.imported.length) {
        await engine.audit.event('client.imported', { client, path, imported: result.imported, secretsMoved: result.secretsMoved.length });
        changed(client, path);
      }
      return result;
    },
  };
}
