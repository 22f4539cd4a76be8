// What managed policy locks, as checks that throw `locked` with a sentence naming who manages it and
// why. Every path that changes a locked thing runs one of these: the engine's API (servers.add,
// policy.setTier, settings.set, approvals.settings, approvals.answer, rules.add), the CLI without an
// engine, and servers.json itself (so a client import cannot slip a forbidden server in). While the
// file is broken, nothing managed policy could lock can be changed (fail closed).
import type { ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import type { ServerConfigInput } from '../../../shared/servers.js';
import type { Effect, Tier } from '../../../shared/words.js';
import { WardenError } from '../errors.js';
import { DEFAULT_MANAGER, managedFileView } from './load.js';
import { managedPolicyPath } from './locate.js';
import { forbiddenReason, lockedTier, type ServerShape } from './servers.js';

export interface ManagedView {
  state(): ManagedState;
  policy(): ManagedPolicy | undefined;
}

const contact = (p: ManagedPolicy) => (p.contact ? ` Contact: ${p.contact}.` : '');

function lockedError(p: ManagedPolicy, what: string, path: string): WardenError {
  return new WardenError('locked', `${what} This is managed by ${p.managedBy ?? DEFAULT_MANAGER} (managed policy ${path}) and cannot be changed in Warden.${contact(p)}`, {
    managedBy: p.managedBy ?? DEFAULT_MANAGER,
    path,
  });
}

/** While the file is broken, every change managed policy could lock is refused. */
function failClosed(view: ManagedView, action: string): void {
  const s = view.state();
  if (s.state === 'invalid') throw new WardenError('locked', `${action} is refused: ${s.message} Until it is fixed or removed, Warden changes nothing that managed policy controls.`, { path: s.path });
}

export function assertServerPermitted(view: ManagedView, server: ServerShape | ServerConfigInput, action: 'added' | 'connected' = 'added'): void {
  // A broken file refuses new servers; sessions still open, and every call in them is denied instead
  // (the decision names the file and the problem, where the client shows it).
  if (action === 'added') failClosed(view, `Adding server \`${server.name}\``);
  const p = view.policy();
  if (!p) return;
  const why = forbiddenReason(p, server as ServerShape);
  if (why) throw lockedError(p, `${why} It cannot be ${action}.`, view.state().path);
  if (action === 'added' && 'capturePayloads' in server && server.capturePayloads && p.settings.allowPayloadCapture === false) {
    throw lockedError(p, `Server \`${server.name}\` cannot capture payloads: managed policy requires payload capture off (settings.allowPayloadCapture is false).`, view.state().path);
  }
}

/** Payload capture can be turned on only where managed policy allows it. Turning it off is always allowed. */
export function assertCaptureAllowed(view: ManagedView, server: string, capture: boolean): void {
  if (!capture) return;
  failClosed(view, `Turning on payload capture for \`${server}\``);
  const p = view.policy();
  if (p && p.settings.allowPayloadCapture === false) {
    throw lockedError(p, `Server \`${server}\` cannot capture payloads: managed policy requires payload capture off (settings.allowPayloadCapture is false).`, view.state().path);
  }
}

export function assertTierChangeAllowed(view: ManagedView, server: string, tier: Tier): void {
  failClosed(view, `Changing the tier of \`${server}\``);
  const p = view.policy();
  const fixed = lockedTier(p, server);
  if (p && fixed && fixed !== tier) throw lockedError(p, `The tier of \`${server}\` is fixed at ${fixed} (servers.${server}.tier).`, view.state().path);
}

/** Settings keys (settings.json and the approval settings) that managed settings lock. */
const LOCKED_BY: Record<string, keyof ManagedPolicy['settings']> = {
  approvalTimeoutSeconds: 'approvalTimeoutSeconds',
  timeoutSeconds: 'approvalTimeoutSeconds',
  autoUpdate: 'autoUpdate',
};
/** Audit settings that managed policy's audit section limits. */
const AUDIT_KEYS = ['auditSyslog', 'auditRetentionDays'];

export function assertSettingsChangeAllowed(view: ManagedView, patch: Record<string, unknown>): void {
  const keys = Object.keys(patch).filter((k) => LOCKED_BY[k] || AUDIT_KEYS.includes(k));
  if (!keys.length) return;
  failClosed(view, `Changing ${keys.join(', ')}`);
  const p = view.policy();
  if (!p) return;
  for (const k of keys) {
    const m = LOCKED_BY[k];
    const fixed = m ? p.settings[m] : undefined;
    if (m && fixed !== undefined && patch[k] !== fixed) throw lockedError(p, `The setting ${k} is fixed at ${JSON.stringify(fixed)} (settings.${m}).`, view.state().path);
  }
  if ('auditSyslog' in patch && p.audit.syslog) {
    throw lockedError(p, `Audit forwarding (auditSyslog) is set by managed policy (audit.syslog: ${p.audit.syslog.map((d) => `${d.protocol} ${d.host}:${d.port}`).join(', ')}).`, view.state().path);
  }
  const days = patch.auditRetentionDays;
  const min = p.audit.minRetentionDays;
  if (typeof days === 'number' && min !== undefined && days !== 0 && days < min) {
    throw lockedError(p, `Audit records must be kept at least ${min} days (audit.minRetentionDays); ${days} is shorter. Use ${min} or more, or 0 to keep everything.`, view.state().path);
  }
}

/**
 * "Always allow": an approval answered `allow` + `always`, a standing allow rule, or an allow override.
 * Refused when managed policy turns it off, or for a server whose tier it fixes at restricted (where
 * every call asks a person, so a standing allow would never apply).
 */
export function assertAlwaysAllowAllowed(view: ManagedView, effect: Effect | undefined, always: boolean, server?: string): void {
  if (effect !== 'allow' || !always) return;
  failClosed(view, 'An "always allow"');
  const p = view.policy();
  if (p?.settings.allowAlwaysAllow === false) {
    throw lockedError(p, '"Always allow" is turned off (settings.allowAlwaysAllow is false): allow once or for this session instead.', view.state().path);
  }
  if (p && server !== undefined && lockedTier(p, server) === 'restricted') {
    throw lockedError(p, `\`${server}\` is fixed at restricted (servers.${server}.tier): every call to it asks a person, so it cannot be always allowed. Allow once, for a while or for this session instead.`, view.state().path);
  }
}

/** servers.json's check when no engine supplies one: the managed policy file as it is now. */
export function permitByManagedFile(server: ServerShape | ServerConfigInput): void {
  assertServerPermitted(managedFileView(managedPolicyPath()), server, 'added');
}

/** Keeps the guardian's approval-settings overrides in step with the managed approval timeout. */
export function applyManagedApprovals(overrides: { timeoutSeconds?: number }, policy: ManagedPolicy | undefined): void {
  const t = policy?.settings.approvalTimeoutSeconds;
  if (t !== undefined) overrides.timeoutSeconds = t;
  else delete overrides.timeoutSeconds;
}
