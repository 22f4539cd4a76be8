// `warden connect <server>`: the stdio bridge that clients launch.
import type { Command } from 'commander';
import { errorMessage } from '../../engine/errors.js';
import { TokenStore } from '../../engine/gateway/tokens.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { StdioBridge, runFailClosed } from '../bridge.js';
import { ensureEngine } from '../engineProcess.js';

export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description('bridge a stdio MCP client to <server> through Warden (what protected clients launch)')
    .argument('<server>', 'the server name in Warden')
    .option('--client <id>', 'the client id whose token to use', process.env.WARDEN_CLIENT ?? 'local')
    .action(async (server: string, opts: { client: string }) => {
      const paths = dataPaths(dataDir());
      const log = (line: string) => process.stderr.write(`[warden connect ${server}] ${line}\n`);
      let token: string;
      let firstUrl: string;
      try {
        token = new TokenStore(paths).clientToken(opts.client);
        firstUrl = await ensureEngine(paths);
      } catch (error) {
        const reason = `Warden is not running and could not be started, so server \`${server}\` was not contacted: ${errorMessage(error)}`;
        log(reason);
        await runFailClosed(reason);
        return;
      }
      let first = true;
      const bridge = new StdioBridge({
        server,
        token,
        log,
        engineUrl: async () => {
          if (first) {
            first = false;
            return firstUrl;
          }
          return ensureEngine(paths);
        },
      });
      await bridge.run();
      process.exit(0);
    });
}
