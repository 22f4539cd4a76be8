// `warden connect <server> [--client <id>]`: the stdio bridge that clients launch. Kept free of the
// CLI framework and the engine so that it starts quickly; see main.ts.
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

export async function runConnect(server: string, clientId: string): Promise<void> {
  const paths = dataPaths(dataDir());
  const log = (line: string) => process.stderr.write(`[warden connect ${server}] ${line}\n`);
  let token = '';
  let failure: string | undefined;
  try {
    token = await clientToken(paths, clientId);
    await ensureEngine(paths);
  } catch (error) {
    failure = `Warden is not running and could not be started, so server \`${server}\` was not contacted: ${errorMessage(error)}`;
    log(failure);
  }
  const bridge = new StdioBridge({ server, token, log, engineSocket: async () => (await ensureEngine(paths)).socket });
  if (failure) bridge.failClosed(failure);
  await bridge.run();
  process.exit(0);
}

/** Parses `<server> [--client <id>]` without the CLI framework. */
export async function connectFromArgv(argv: string[]): Promise<void> {
  let server: string | undefined;
  let clientId = DEFAULT_CLIENT();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--client') clientId = argv[++i] ?? '';
    else if (arg.startsWith('--client=')) clientId = arg.slice('--client='.length);
    else if (!arg.startsWith('-') && server === undefined) server = arg;
    else {
      process.stderr.write(`warden connect: unexpected argument \`${arg}\`. Usage: warden connect <server> [--client <id>]\n`);
      process.exit(2);
    }
  }
  if (!server || !clientId) {
    process.stderr.write('warden connect: Usage: warden connect <server> [--client <id>]\n');
    process.exit(2);
  }
  await runConnect(server, clientId);
}

export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description('bridge a stdio MCP client to <server> through Warden (what protected clients launch)')
    .argument('<server>', 'the server name in Warden')
    .option('--client <id>', 'the client id whose token to use (default: $WARDEN_CLIENT or `local`)')
    .action(async (server: string, opts: { client?: string }) => runConnect(server, opts.client ?? DEFAULT_CLIENT()));
}
