// `warden status`: is an engine running for this data directory, where, and its servers' state.
import type { Command } from 'commander';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { EngineClient } from '../engineClient.js';
import { EXIT, fail, printJson, table } from '../output.js';
import { managedLine } from './managed.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('is an engine running, its URL, the servers and their state')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const paths = dataPaths(dataDir());
      const engine = EngineClient.find(paths);
      if (!engine) {
        if (opts.json) printJson({ running: false, dataDir: paths.dir });
        else process.stdout.write(`Warden is not running (data directory ${paths.dir}). Start it with \`warden serve\`.\n`);
        process.exit(EXIT.notRunning);
      }
      try {
        const status = await engine.call('engine.status', {});
        const { managed } = await engine.call('policy.managed', {});
        if (opts.json) return printJson({ running: true, ...status, managed });
        process.stdout.write(`Warden ${status.version} is running at ${status.url} (pid ${status.pid}, since ${status.startedAt}).\nData: ${status.dataDir}\n${managedLine(managed)}\n`);
        process.stdout.write(
          table([['SERVER', 'TIER', 'STATE', 'SESSIONS', 'RESTARTS', 'LAST ERROR'], ...status.servers.map((s) => [s.config.name, s.config.tier, s.state, String(s.sessions), String(s.restarts), s.lastError ?? ''])]),
        );
      } catch (error) {
        fail(error);
      }
    });
}
