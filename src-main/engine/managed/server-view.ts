// A server's view with what managed policy locks about it: the tier it fixes (shown as the tier in
// force), why it forbids the server, whether payload capture is off, and who manages the machine, so
// the Servers & tools screen can show each with a lock. Pure over the policy as loaded now.
import type { ServerManaged, ServerView } from '../../../shared/api/servers.js';
import { DEFAULT_MANAGER } from './load.js';
import type { ManagedView } from './locks.js';
import { forbiddenReason, lockedTier } from './servers.js';

export function serverManaged(managed: ManagedView, config: ServerView['config']): ServerManaged | undefined {
  const state = managed.state();
  if (state.state === 'invalid') {
    return {
      managedBy: DEFAULT_MANAGER,
      tier: config.tier,
      forbidden: `The managed policy file is broken: every call to \`${config.name}\` is denied until it is fixed or removed.`,
      captureOff: true,
      broken: state.message,
    };
  }
  const p = managed.policy();
  if (!p) return undefined;
  const tier = lockedTier(p, config.name);
  const forbidden = forbiddenReason(p, config);
  const captureOff = p.settings.allowPayloadCapture === false;
  if (!tier && !forbidden && !captureOff) return undefined;
  return {
    managedBy: p.managedBy ?? DEFAULT_MANAGER,
    ...(p.contact ? { contact: p.contact } : {}),
    ...(tier ? { tier } : {}),
    ...(forbidden ? { forbidden } : {}),
    ...(captureOff ? { captureOff } : {}),
  };
}

/** The view as the API returns it: the tier in force (managed wins) and the managed locks. */
export function managedServerView(view: ServerView, managed: ManagedView): ServerView {
  const locks = serverManaged(managed, view.config);
  if (!locks) return view;
  return { ...view, config: locks.tier ? { ...view.config, tier: locks.tier } : view.config, managed: locks };
}
