// The effective policy and where each value comes from (managed file, the person, or the default):
// what `warden policy show` prints and what the UI marks with a lock. Pure.
import type { EffectivePolicy, ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import type { StoredSettings } from '../../../shared/settings.js';
import type { ApprovalSettings, Rule } from '../../../shared/policy.js';
import type { ServerConfig } from '../../../shared/servers.js';
import type { Tier } from '../../../shared/words.js';
import { effectiveRetentionDays, DEFAULT_RETENTION_DAYS } from './audit.js';
import { DEFAULT_MANAGER } from './load.js';
import { forbiddenReason, lockedTier } from './servers.js';

export interface EffectiveInput {
  state: ManagedState;
  policy: ManagedPolicy | undefined;
  /** The person's approval settings (policy.json), undefined when unreadable. */
  approvals?: Pick<ApprovalSettings, 'timeoutSeconds'>;
  servers: ServerConfig[];
  rules: Rule[];
  /** The person's settings.json (auto-update, audit forwarding and retention); undefined when unreadable. */
  settings?: Partial<Pick<StoredSettings, 'autoUpdate' | 'auditSyslog' | 'auditRetentionDays'>>;
  /** Why a file of the person's could not be read, one sentence each. */
  unreadable?: string[];
}

const DEFAULT_TIMEOUT = 45;

export function effectivePolicy(input: EffectiveInput): EffectivePolicy {
  const p = input.policy;
  const broken = input.state.state === 'invalid';
  const ms = p?.settings ?? {};
  const setting = <T>(managed: T | undefined, user: T | undefined, fallback: T) =>
    managed !== undefined
      ? { value: managed, source: 'managed' as const, locked: true }
      : { value: user ?? fallback, source: user !== undefined && user !== fallback ? ('user' as const) : ('default' as const), locked: broken };

  const names = new Set([...input.servers.map((s) => s.name), ...Object.keys(p?.servers ?? {})]);
  const servers = [...names].sort().map((name) => {
    const config = input.servers.find((s) => s.name === name);
    const fixed: Tier | undefined = lockedTier(p, name);
    const tier = fixed
      ? { value: fixed, source: 'managed' as const, locked: true }
      : { value: config?.tier ?? 'standard', source: config && config.tier !== 'standard' ? ('user' as const) : ('default' as const), locked: broken };
    const why = p ? forbiddenReason(p, config ?? { name, transport: 'stdio' }) : broken ? 'The managed policy file is broken: no server can be connected until it is fixed.' : undefined;
    return { name, configured: !!config, tier, ...(why ? { forbidden: { reason: why, source: 'managed' as const } } : {}) };
  });

  const allowAlways = ms.allowAlwaysAllow !== false;
  const rules: EffectivePolicy['rules'] = [
    ...(p?.rules ?? []).map((r) => ({ ...r, source: 'managed' as const, locked: true })),
    ...input.rules.map((r) => ({
      id: r.id,
      effect: r.effect,
      server: r.server,
      tool: r.tool,
      when: r.when,
      ...(r.client ? { client: r.client } : {}),
      ...(r.note ? { reason: r.note } : {}),
      source: 'user' as const,
      locked: false,
      ...(r.effect !== 'allow'
        ? {}
        : !allowAlways
          ? { ignored: 'managed policy turns "always allow" off (settings.allowAlwaysAllow is false)' }
          : lockedTier(p, r.server) === 'restricted'
            ? { ignored: `managed policy fixes \`${r.server}\` at restricted: every call to it asks a person` }
            : {}),
    })),
  ];

  const userSyslog = input.settings?.auditSyslog ?? [];
  const userDays = input.settings?.auditRetentionDays;
  const retention = effectiveRetentionDays(userDays, p);
  return {
    managed: input.state,
    ...(input.unreadable?.length ? { unreadable: input.unreadable } : {}),
    managedBy: p?.managedBy ?? DEFAULT_MANAGER,
    ...(p?.contact ? { contact: p.contact } : {}),
    settings: {
      approvalTimeoutSeconds: setting(ms.approvalTimeoutSeconds, input.approvals?.timeoutSeconds, DEFAULT_TIMEOUT),
      allowAlwaysAllow: setting(ms.allowAlwaysAllow, undefined, true),
      allowPayloadCapture: setting(ms.allowPayloadCapture, undefined, true),
      autoUpdate: setting(ms.autoUpdate, input.settings?.autoUpdate, true),
    },
    servers,
    onlyListedServers: p ? { value: p.onlyListedServers, source: 'managed', locked: true } : { value: false, source: 'default', locked: broken },
    forbid: p?.forbid ?? { servers: [], commands: [], packages: [], urls: [] },
    rules,
    audit: {
      // Managed receivers replace the person's (whose setting is then locked).
      syslog: p?.audit.syslog
        ? { value: p.audit.syslog, source: 'managed', locked: true }
        : { value: userSyslog, source: userSyslog.length ? 'user' : 'default', locked: broken },
      retentionDays: {
        value: retention,
        source: p?.audit.minRetentionDays !== undefined && retention === p.audit.minRetentionDays && retention !== (userDays ?? DEFAULT_RETENTION_DAYS) ? 'managed' : userDays !== undefined && userDays !== DEFAULT_RETENTION_DAYS ? 'user' : 'default',
        ...(p?.audit.minRetentionDays !== undefined ? { minimum: p.audit.minRetentionDays } : {}),
      },
    },
  };
}
