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

/** A read that fails (a broken servers.json, say) leaves that part empty rather than hiding the managed policy. */
const safely = <T>(read: () => T, fallback: T): T => {
  try {
    return read();
  } catch {
    return fallback;
  }
};

export function managedHandlers(deps: ManagedHandlerDeps): Handlers<typeof managedMethods> {
  return {
    'policy.managed': async ({ reload }) => {
      if (reload) deps.managed.reload();
      return effectivePolicy({
        state: deps.managed.state(),
        policy: deps.managed.policy(),
        approvals: safely(deps.approvals, undefined),
        servers: safely(deps.servers, []),
        rules: safely(deps.rules, []),
        settings: deps.settings ? safely(deps.settings, undefined) : undefined,
      });
    },
  };
}
