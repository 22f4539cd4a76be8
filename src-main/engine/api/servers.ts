// Engine-side handlers for shared/api/servers.ts.
import type { Handlers } from '../../../shared/api/contract.js';
import type { serverMethods } from '../../../shared/api/servers.js';
import type { Engine } from '../engine.js';
import { applyAuditSettings } from '../config/audit-settings.js';
import { changeSettings, policyFileApprovals, readSettings, type ApprovalSettingsAccess } from '../config/settings.js';
import { WardenError } from '../errors.js';
import { managedServerView } from '../managed/server-view.js';
import { managedSettingsView } from '../managed/settings.js';
import { VERSION } from '../version.js';

export function serverHandlers(engine: Engine): Handlers<typeof serverMethods> {
  const changed = () => engine.emit('servers.changed', { servers: engine.serverViews() });
  // The approval timeout and in-client asking are the guardian's (policy.json): one source of truth.
  const approvals = (): ApprovalSettingsAccess => {
    const g = engine.guardian;
    return g ? { get: () => g.settings(), set: (p) => g.setApprovalSettings(p) } : policyFileApprovals(engine.paths);
  };
  return {
    'engine.status': async () => ({
      pid: process.pid,
      url: engine.url,
      dataDir: engine.paths.dir,
      version: VERSION,
      startedAt: engine.startedAt,
      servers: engine.serverViews(),
    }),
    'engine.uiLink': async () => {
      if (!engine.uiLink) throw new WardenError('not_found', 'This engine has no web UI: the desktop app shows its own window, and `warden serve` without a built UI has none (run `npm run build`).');
      return { url: engine.uiLink() };
    },
    'servers.list': async () => engine.serverViews(),
    'servers.add': async (input) => {
      const config = engine.servers.add(input);
      await engine.audit.event('server.added', { server: config.name, transport: config.transport, tier: config.tier });
      changed();
      return managedServerView(engine.runtime(config.name).view(config), engine.managed);
    },
    'servers.remove': async ({ name }) => {
      engine.servers.remove(name);
      await engine.closeSessions(name, `server \`${name}\` was removed`);
      await engine.audit.event('server.removed', { server: name });
      changed();
      return { removed: name };
    },
    'servers.setCapture': async ({ name, capturePayloads }) => {
      const config = engine.servers.update(name, { capturePayloads });
      await engine.audit.event('server.capture_changed', { server: name, capturePayloads });
      changed();
      return managedServerView(engine.runtime(name).view(config), engine.managed);
    },
    'servers.stderr': async ({ name }) => {
      engine.servers.require(name);
      return { lines: engine.runtime(name).stderr.lines() };
    },
    'settings.get': async () => readSettings(engine.settings, approvals()),
    'settings.set': async (patch) => {
      if (Object.keys(patch).length === 0) throw new WardenError('bad_input', 'Nothing to change.');
      const next = changeSettings(engine.settings, approvals(), patch);
      await engine.audit.event('settings.changed', { keys: Object.keys(patch) });
      if ('auditSyslog' in patch || 'auditRetentionDays' in patch || 'auditRetentionMaxMB' in patch) applyAuditSettings(engine);
      engine.emit('settings.changed', { settings: managedSettingsView(next, engine.managed.policy()) });
      return next;
    },
  };
}
