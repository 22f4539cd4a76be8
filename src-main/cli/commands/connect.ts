// `warden connect <server> [--client <id>]`: the stdio bridge that clients launch; `warden connect --all`
// carries every server's tools in one session, named <server>__<tool> as on the aggregated endpoint /mcp.
// Kept free of the CLI framework and the engine so that it starts quickly; see main.ts.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { errorMessage } from '../../engine/errors.js';
import { dataDir, dataPaths, type DataPaths } from '../../engine/paths.js';
import { StdioBridge } from '../bridge.js';
import { ensureEngine } from '../engineProcess.js';

const DEFAULT_CLIENT = () => process.env.WARDEN_CLIENT ?? 'local';

/** The client's token: read straight from tokens.json, issued (through the token store) on first use. */
async function clientToken(paths: DataPaths, clientId: string): Promise<string> {
  try {
    const file = JSON.parse(readFileSync(paths.tokens, 'utf8')) as { clients?: Record<string, { token?: unknown }> };
    const token = file.clients?.[clientId]?.token;
    if (typeof token === 'string' && token.length >= 32) return token;
  } catch {
    /* no file yet, or damaged: the token store says which */
  }
  const { TokenStore } = await import('../../engine/gateway/tokens.js');
  return new TokenStore(paths).clientToken(clientId);
}

/** `server` undefined: all servers (`--all`). */
export async function runConnect(server: string | undefined, clientId: string): Promise<void> {
  const paths = dataPaths(dataDir());
  const log = (line: string) => process.stderr.write(`[warden connect ${server ?? '--all'}] ${line}\n`);
  let token = '';
  let failure: string | undefined;
  const notContacted = server === undefined ? 'no server was contacted' : `server \`${server}\` was not contacted`;
  try {
    token = await clientToken(paths, clientId);
  } catch (error) {
    // A bad --client id, or a token file that cannot be read: nothing to do with the engine running.
    failure = `Warden could not get this client's token, so ${notContacted}: ${errorMessage(error)}`;
  }
  // The engine found (and checked) here is the one the bridge first connects to; later reconnects look again.
  let found: string | undefined;
  if (!failure) {
    try {
      found = (await ensureEngine(paths)).socket;
    } catch (error) {
      failure = `Warden is not running and could not be started, so ${notContacted}: ${errorMessage(error)}`;
    }
  }
  if (failure) log(failure);
  const engineSocket = async () => {
    const socket = found ?? (await ensureEngine(paths)).socket;
    found = undefined;
    return socket;
  };
  const bridge = new StdioBridge({ server, token, log, engineSocket });
  if (failure) bridge.failClosed(failure);
  await bridge.run();
  process.exit(0);
}

const USAGE = 'Usage: warden connect <server> [--client <id>], or warden connect --all [--client <id>]';

/** Parses `<server> | --all` and `[--client <id>]` without the CLI framework. */
export async function connectFromArgv(argv: string[]): Promise<void> {
  let server: string | undefined;
  let all = false;
  let clientId = DEFAULT_CLIENT();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--client') clientId = argv[++i] ?? '';
    else if (arg.startsWith('--client=')) clientId = arg.slice('--client='.length);
    else if (arg === '--all') all = true;
    else if (!arg.startsWith('-') && server === undefined) server = arg;
    else {
      process.stderr.write(`warden connect: unexpected argument \`${arg}\`. ${USAGE}\n`);
      process.exit(2);
    }
  }
  if (all === (server !== undefined) || !clientId) {
    process.stderr.write(`warden connect: ${all ? 'name a server or give --all, not both. ' : ''}${USAGE}\n`);
    process.exit(2);
  }
  await runConnect(server, clientId);
}

export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description('bridge a stdio MCP client to <server> through Warden (what protected clients launch); --all: every server, tools named <server>__<tool>')
    .argument('[server]', 'the server name in Warden')
    .option('--all', "every server's tools in one session, as on the aggregated endpoint /mcp")
    .option('--client <id>', 'the client id whose token to use (default: $WARDEN_CLIENT or `local`)')
    .action(async (server: string | undefined, opts: { all?: boolean; client?: string }) =>
      connectFromArgv([...(server === undefined ? [] : [server]), ...(opts.all ? ['--all'] : []), ...(opts.client === undefined ? [] : ['--client', opts.client])]),
    );
}
