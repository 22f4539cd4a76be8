// `warden ui`: a fresh one-time link to the web UI of the running engine (a used link works no more,
// and an engine that `warden connect` started in the background prints none: its log file would keep it).
import type { Command } from 'commander';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { EngineClient } from '../engineClient.js';
import { openBrowser } from '../open-browser.js';
import { EXIT, fail } from '../output.js';

export function registerUiCommand(program: Command): void {
  program
    .command('ui')
    .description('print a new one-time link to the running engine\'s web UI, and open it')
    .option('--no-open', 'only print the link')
    .action(async (opts: { open: boolean }) => {
      const paths = dataPaths(dataDir());
      const engine = EngineClient.find(paths);
      if (!engine) {
        process.stderr.write(`warden: Warden is not running (data directory ${paths.dir}). Start it with \`warden serve\`, which prints a link itself. [engine_not_running]\n`);
        process.exit(EXIT.notRunning);
      }
      try {
        const { url } = await engine.call('engine.uiLink', {});
        process.stdout.write(`UI:   ${url}  (works once)\n`);
        if (opts.open) await openBrowser(url);
      } catch (error) {
        fail(error);
      }
    });
}
