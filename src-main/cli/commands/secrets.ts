// `warden secrets list|set|delete`: the secrets Warden keeps in the OS keychain for its servers. No
// command ever prints a value: `set` reads it from stdin or from a prompt that does not echo.
import type { Command } from 'commander';
import { ClientsError } from '../../engine/clients/errors.js';
import { ServerStore } from '../../engine/config/servers.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { OsKeychain } from '../../engine/secrets/keychain.js';
import { fail, printJson, table } from '../output.js';

/** Which servers refer to which accounts (env values and headers written as `{ "secret": ... }`). */
function references(store: ServerStore): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const server of store.list()) {
    const values = server.transport === 'stdio' ? server.env : server.headers;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string') continue;
      refs.set(value.secret, [...(refs.get(value.secret) ?? []), `${server.name} ${name}`]);
    }
  }
  return refs;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new ClientsError('bad_input', 'Cancelled; nothing was stored.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function registerSecretsCommands(program: Command): Command {
  const secrets = program.command('secrets').description("secrets for Warden's servers, kept in the OS keychain (values are never printed)");

  secrets
    .command('list')
    .description('the secrets Warden keeps, and which server uses each (names only)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      try {
        const paths = dataPaths(dataDir());
        const keychain = OsKeychain.forDataDir(paths.dir);
        const accounts = (await keychain.accounts()).filter((a) => !a.startsWith('backup/'));
        const refs = references(new ServerStore(paths));
        const rows = [...new Set([...accounts, ...refs.keys()])].sort().map((account) => ({
          account,
          stored: accounts.includes(account),
          usedBy: refs.get(account) ?? [],
        }));
        if (opts.json) return printJson({ service: keychain.service, secrets: rows });
        if (rows.length === 0) return void process.stdout.write(`No secrets in the OS keychain (service "${keychain.service}").\n`);
        process.stdout.write(
          table([['SECRET', 'STORED', 'USED BY'], ...rows.map((r) => [r.account, r.stored ? 'yes' : 'MISSING', r.usedBy.join(', ') || '-'])]),
        );
      } catch (error) {
        fail(error);
      }
    });

  secrets
    .command('set')
    .description('store a secret: the value is read from stdin, or asked for without echo on a terminal')
    .argument('<account>', 'the secret\'s name, e.g. "github/GITHUB_TOKEN" (<server>/<VARIABLE>)')
    .action(async (account: string) => {
      try {
        if (!account.trim()) throw new ClientsError('bad_input', 'Give the secret a name, e.g. `warden secrets set github/GITHUB_TOKEN`.');
        const keychain = OsKeychain.forDataDir(dataDir());
        const status = await keychain.status();
        if (!status.available) throw new ClientsError('keychain_unavailable', status.reason);
        const raw = process.stdin.isTTY ? await promptHidden(`Value for ${account} (not shown): `) : await readAll(process.stdin);
        const value = raw.replace(/\r?\n$/, '');
        if (!value) throw new ClientsError('bad_input', `No value given for \`${account}\`; nothing was stored.`);
        await keychain.set(account, value);
        process.stdout.write(`Stored \`${account}\` in the OS keychain (service "${keychain.service}").\n`);
      } catch (error) {
        fail(error);
      }
    });

  secrets
    .command('delete')
    .description('remove a secret from the OS keychain')
    .argument('<account>')
    .action(async (account: string) => {
      try {
        const paths = dataPaths(dataDir());
        const keychain = OsKeychain.forDataDir(paths.dir);
        const deleted = await keychain.delete(account);
        if (!deleted) throw new ClientsError('secret_missing', `There is no secret \`${account}\` in the OS keychain (service "${keychain.service}").`);
        const users = references(new ServerStore(paths)).get(account);
        process.stdout.write(`Deleted \`${account}\`.${users ? ` ${users.join(', ')} will not start until it is set again.` : ''}\n`);
      } catch (error) {
        fail(error);
      }
    });
  return secrets;
}
