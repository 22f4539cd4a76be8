// `warden servers add|list|remove`. Writes go to servers.json; a running engine picks them up at the
// next session. The engine is told when it runs, so the UI updates.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { ServerView } from '../../../shared/api/servers.js';
import type { ServerConfig, ServerConfigInput } from '../../../shared/servers.js';
import { Tier } from '../../../shared/words.js';
import { ServerStore } from '../../engine/config/servers.js';
import { WardenError } from '../../engine/errors.js';
import { managedFileView } from '../../engine/managed/load.js';
import { managedPolicyPath } from '../../engine/managed/locate.js';
import { managedServerView } from '../../engine/managed/server-view.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { EngineClient } from '../engineClient.js';
import { fail, printJson, table } from '../output.js';

const describe = (s: ServerConfig) => (s.transport === 'stdio' ? [s.command, ...s.args].join(' ') : s.url);

/** Without an engine: servers.json as it is, with what the managed policy file locks now. */
function listOffline(): ServerView[] {
  const managed = managedFileView(managedPolicyPath());
  return new ServerStore(dataPaths(dataDir())).list().map((config) => managedServerView({ config, state: 'idle', sessions: 0, restarts: 0 }, managed));
}

export function registerServersCommands(program: Command): Command {
  const servers = program.command('servers').description('the MCP servers Warden protects');

  servers
    .command('add')
    .description('add a server: `warden servers add <name> -- <command> [args...]` or `--url URL`')
    .argument('<name>')
    .argument('[command...]', 'the stdio command and its arguments, after --')
    .option('--url <url>', 'a Streamable HTTP server')
    .option('--tier <tier>', `trust tier: ${Tier.options.join(', ')}`, 'standard')
    .option('--env <KEY=VALUE...>', 'environment for a stdio server')
    .option('--cwd <dir>', 'working directory for a stdio server (a relative one is taken from here)')
    .action(async (name: string, command: string[], opts: { url?: string; tier: string; env?: string[]; cwd?: string }) => {
      try {
        const tier = Tier.safeParse(opts.tier);
        if (!tier.success) throw new WardenError('bad_input', `Unknown tier \`${opts.tier}\`. Use one of: ${Tier.options.join(', ')}.`);
        let input: ServerConfigInput;
        if (opts.url) {
          if (command.length) throw new WardenError('bad_input', 'Give either --url or a command after --, not both.');
          if (opts.env?.length || opts.cwd) throw new WardenError('bad_input', '--env and --cwd are for a server Warden starts (a command after --); a --url server is already running.');
          input = { name, transport: 'http', url: opts.url, tier: tier.data };
        } else {
          if (!command.length) throw new WardenError('bad_input', `Say how to start \`${name}\`: \`warden servers add ${name} -- <command> [args...]\`, or \`--url URL\`.`);
          const env: Record<string, string> = {};
          for (const pair of opts.env ?? []) {
            const eq = pair.indexOf('=');
            if (eq <= 0) throw new WardenError('bad_input', `--env takes KEY=VALUE, not \`${pair}\`.`);
            env[pair.slice(0, eq)] = pair.slice(eq + 1);
          }
          input = { name, transport: 'stdio', command: command[0]!, args: command.slice(1), env, cwd: opts.cwd === undefined ? undefined : resolve(opts.cwd), tier: tier.data };
        }
        const engine = EngineClient.find();
        const added = engine ? (await engine.call('servers.add', input)).config : new ServerStore(dataPaths(dataDir())).add(input);
        process.stdout.write(`Added server \`${added.name}\` (${added.tier}): ${describe(added)}${added.transport === 'stdio' && added.cwd ? ` (in ${added.cwd})` : ''}\n`);
      } catch (error) {
        fail(error);
      }
    });

  servers
    .command('list')
    .description('list servers')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      try {
        const engine = EngineClient.find();
        const views = engine
          ? await engine.call('servers.list', {})
          : listOffline();
        if (opts.json) return printJson(views);
        if (!views.length) return void process.stdout.write('No servers. Add one with `warden servers add <name> -- <command>`.\n');
        process.stdout.write(
          table([
            ['NAME', 'TIER', 'STATE', 'SESSIONS', 'COMMAND'],
            ...views.map((v) => [v.config.name, v.managed?.broken ? `${v.config.tier} (locked)` : v.managed?.tier ? `${v.config.tier} (managed)` : v.config.tier, v.managed?.forbidden ? 'blocked' : v.state, String(v.sessions), describe(v.config)]),
          ]),
        );
        // What managed policy locks, and who to ask. A broken file fixes nothing: it locks everything.
        const broken = views.find((v) => v.managed?.broken)?.managed?.broken;
        const locked = broken ? [] : views.filter((v) => v.managed?.tier || v.managed?.forbidden);
        if (broken) process.stdout.write(`\n${broken}\nUntil it is fixed or removed, every call is denied and nothing managed policy could control can be changed.\n`);
        if (locked.length) {
          const m = locked[0]!.managed!;
          process.stdout.write(`\nManaged by ${m.managedBy}${m.contact ? ` (${m.contact})` : ''}; these cannot be changed in Warden:\n`);
          for (const v of locked) {
            if (v.managed?.tier) process.stdout.write(`  ${v.config.name}: tier fixed at ${v.managed.tier}\n`);
            if (v.managed?.forbidden) process.stdout.write(`  ${v.config.name}: blocked. ${v.managed.broken ?? v.managed.forbidden}\n`);
          }
        }
      } catch (error) {
        fail(error);
      }
    });

  servers
    .command('remove')
    .description('remove a server')
    .argument('<name>')
    .action(async (name: string) => {
      try {
        const engine = EngineClient.find();
        if (engine) await engine.call('servers.remove', { name });
        else new ServerStore(dataPaths(dataDir())).remove(name);
        process.stdout.write(`Removed server \`${name}\`.\n`);
      } catch (error) {
        fail(error);
      }
    });
  return servers;
}
