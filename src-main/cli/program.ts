// The `warden` command line. Each group of commands lives in commands/<group>.ts and registers itself
// here. Only the groups the command line names are loaded (loading every group's engine modules costs
// about half a second per command); `--help`, `help` and unknown commands load them all.
import { Command } from 'commander';
import { VERSION } from '../engine/version.js';
import { EXIT } from './output.js';

type Group = { key: string; load(program: Command): Promise<unknown> };

/** In registration order (the order `warden --help` lists them). */
const GROUPS: Group[] = [
  {
    key: 'serve',
    async load(program) {
      const { registerServeCommand, setUiMounter } = await import('./commands/serve.js');
      registerServeCommand(program);
      setUiMounter(async (engine) => (await import('../engine/web/mount.js')).mountWebUi(engine)?.launchUrl());
    },
  },
  { key: 'ui', load: async (p) => (await import('./commands/ui.js')).registerUiCommand(p) },
  { key: 'connect', load: async (p) => (await import('./commands/connect.js')).registerConnectCommand(p) },
  { key: 'status', load: async (p) => (await import('./commands/status.js')).registerStatusCommand(p) },
  { key: 'servers', load: async (p) => (await import('./commands/servers.js')).registerServersCommands(p) },
  { key: 'clients', load: async (p) => (await import('./commands/clients.js')).registerClientsCommands(p) },
  { key: 'secrets', load: async (p) => (await import('./commands/secrets.js')).registerSecretsCommands(p) },
  // After servers: adds `servers tier`.
  { key: 'policy', load: async (p) => (await import('./commands/policy.js')).registerPolicyCommands(p) },
  // After policy: adds `policy validate|show`.
  { key: 'managed', load: async (p) => (await import('./commands/managed.js')).registerManagedCommands(p) },
  { key: 'settings', load: async (p) => (await import('./commands/settings.js')).registerSettingsCommands(p) },
  { key: 'approvals', load: async (p) => (await import('./commands/approvals.js')).registerApprovalsCommands(p) },
  { key: 'audit', load: async (p) => (await import('./commands/audit.js')).registerAuditCommands(p) },
];

/** Top-level commands whose subcommands come from more than one group. */
const NEEDS: Record<string, string[]> = {
  servers: ['servers', 'policy', 'managed'],
  policy: ['servers', 'policy', 'managed'],
};

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command()
    .name('warden')
    .description('Warden: a local guardian between MCP clients and MCP servers.')
    .version(VERSION)
    .showHelpAfterError()
    .enablePositionalOptions()
    // Inherited by every subcommand: help and --version exit 0, a usage error (unknown command or
    // option, a missing argument) exits 2, as the README says (commander's own is 1).
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT.usage));
  const first = argv[2];
  const known = first !== undefined && GROUPS.some((g) => g.key === first) && first !== 'managed';
  const needed = known ? new Set(NEEDS[first] ?? [first]) : first === '--version' || first === '-V' ? new Set<string>() : undefined;
  for (const group of GROUPS) if (!needed || needed.has(group.key)) await group.load(program);
  return program;
}
