// `warden serve`: the engine, headless, with the web UI.
import type { Command } from 'commander';
import { seedDemoServers } from '../../engine/config/demo.js';
import { startEngine, type Engine } from '../../engine/engine.js';
import { WardenError } from '../../engine/errors.js';
import { readLock } from '../../engine/lock.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { openBrowser } from '../open-browser.js';
import { EXIT, fail } from '../output.js';

/** Hook for the web UI: returns the URL a person opens (with its one-time token), if the UI is mounted. */
export type UiMounter = (engine: Engine) => Promise<string | undefined>;
let mountUi: UiMounter = async () => undefined;
export function setUiMounter(mounter: UiMounter): void {
  mountUi = mounter;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the engine headless, with the web UI')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--no-open', 'do not open the UI in a browser')
    .option('--verbose', 'echo the engine log to stderr')
    .option('--no-link', 'do not print the UI link (an engine started in the background, whose output goes to a log file)')
    .action(async (opts: { port: string; open: boolean; verbose?: boolean; link: boolean }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(new WardenError('bad_input', `--port must be a number from 0 to 65535, not \`${opts.port}\`.`));
      const paths = dataPaths(dataDir());
      let engine: Engine;
      try {
        engine = await startEngine({ dataDir: paths.dir, port, echoLog: opts.verbose });
      } catch (error) {
        if (error instanceof WardenError && error.code === 'engine_running') {
          const running = readLock(paths);
          process.stderr.write(`warden: Warden is already running for ${paths.dir}${running?.url ? ` at ${running.url}` : ''} (pid ${running?.pid ?? '?'}). Not starting another.\n`);
          process.exit(EXIT.engineRunning);
        }
        fail(error);
      }
      const seeded = seedDemoServers(engine.servers, paths.sandbox);
      const uiUrl = await mountUi(engine);
      if (seeded.length) process.stdout.write(`Nothing was configured, so Warden added the demo servers: ${seeded.join(', ')}.\n`);
      process.stdout.write(`Warden ${engine.url}\n`);
      process.stdout.write(`MCP:  ${engine.url}/mcp/<server>  (all servers: ${engine.url}/mcp)\n`);
      // A launch link is a credential for ten minutes: not written where a log file would keep it.
      process.stdout.write(`UI:   ${!uiUrl ? '(the web UI is not built; run npm run build)' : opts.link ? uiUrl : 'run `warden ui` for a one-time link'}\n`);
      process.stdout.write(`Data: ${paths.dir}\n`);
      if (opts.open && uiUrl) await openBrowser(uiUrl);
      // One stop, whatever signals come while it runs (Ctrl-C twice, `timeout` signalling the whole
      // process group and npm start forwarding it again): a second one must not cut it short, which
      // left the lock, the socket and no `engine.stopped` on record.
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return void process.stderr.write(`warden: ${signal}: already stopping\n`);
        stopping = true;
        process.stderr.write(`warden: ${signal}: stopping\n`);
        await engine.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
