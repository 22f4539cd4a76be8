// Engine-side handler for shared/api/managed.ts.
import type { Handlers } from '../../../shared/api/contract.js';
import type { managedMethods } from '../../../shared/api/managed.js';
import type { ApprovalSettings, Rule } from '../../../shared/policy.js';
import type { ServerConfig } from '../../../shared/servers.js';
import type { StoredSettings } from '../../../shared/settings.js';
import { effectivePolicy } from '../managed/effective.js';
import type { ManagedPolicySource } from '../managed/source.js';

export interface ManagedHandlerDeps {
  managed: ManagedPolicySource;
  servers: () => ServerConfig[];
  rules: () => Rule[];
  approvals: () => Pick<ApprovalSettings, 'timeoutSeconds'> | undefined;
  /** The person's settings.json (auto-update, audit forwarding and retention). */
  settings?: () => StoredSettings;
}

/** A read that fails (a broken servers.json, say) leaves that part empty, and says so, rather than hiding the managed policy. */
function reader(unreadable: string[]) {
  return <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      unreadable.push((error as Error).message);
      return fallback;
    }
  };
}

export function managedHandlers(deps: ManagedHandlerDeps): Handlers<typeof managedMethods> {
  return {
    'policy.managed': async ({ reload }) => {
      if (reload) deps.managed.reload();
      const unreadable: string[] = [];
      const safely = reader(unreadable);
      const approvals = safely(deps.approvals, undefined);
      const servers = safely(deps.servers, []);
      const rules = safely(deps.rules, []);
      const settings = deps.settings ? safely(deps.settings, undefined) : undefined;
      return effectivePolicy({ state: deps.managed.state(), policy: deps.managed.policy(), approvals, servers, rules, settings, unreadable: [...new Set(unreadable)] });
    },
  };
}
