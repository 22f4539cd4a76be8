// The `warden` command line. Each group of commands lives in commands/<group>.ts and registers itself here.
import { Command } from 'commander';
import { VERSION } from '../engine/version.js';
import { registerConnectCommand } from './commands/connect.js';
import { registerServeCommand, setUiMounter } from './commands/serve.js';
import { mountWebUi } from '../engine/web/mount.js';
import { registerServersCommands } from './commands/servers.js';
import { registerStatusCommand } from './commands/status.js';
import { registerClientsCommands } from './commands/clients.js';
import { registerSecretsCommands } from './commands/secrets.js';
import { registerApprovalsCommands } from './commands/approvals.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerManagedCommands } from './commands/managed.js';
import { registerSettingsCommands } from './commands/settings.js';

export const program = new Command()
  .name('warden')
  .description('Warden: a local guardian between MCP clients and MCP servers.')
  .version(VERSION)
  .showHelpAfterError()
  .enablePositionalOptions();

registerServeCommand(program);
setUiMounter(async (engine) => mountWebUi(engine)?.launchUrl());
registerConnectCommand(program);
registerStatusCommand(program);
registerServersCommands(program);
registerClientsCommands(program);
registerSecretsCommands(program);
registerPolicyCommands(program); // after servers: adds `servers tier`
registerManagedCommands(program); // after policy: adds `policy validate|show`
registerSettingsCommands(program);
registerApprovalsCommands(program);
registerAuditCommands(program);
