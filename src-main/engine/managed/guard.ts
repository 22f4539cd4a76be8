// Puts the managed-policy locks in front of the API's handlers that change locked things, and shows
// managed values where the API reads settings. Every transport (HTTP admin API, web bridge, Electron
// IPC, the CLI without an engine) goes through handlers, so one wrapper covers them all.
import type { Settings } from '../../../shared/settings.js';
import { managedSettingsView } from './settings.js';
import { assertAlwaysAllowAllowed, assertCaptureAllowed, assertServerPermitted, assertSettingsChangeAllowed, assertTierChangeAllowed, type ManagedView } from './locks.js';

type AnyHandlers = Record<string, (input: never) => Promise<unknown>>;
type Input = Record<string, unknown>;

export function guardHandlers<H extends AnyHandlers>(handlers: H, view: ManagedView): H {
  const out: AnyHandlers = { ...handlers };
  const before = (name: string, check: (input: Input) => void | Promise<void>) => {
    const inner = out[name] as ((input: Input) => Promise<unknown>) | undefined;
    if (!inner) return;
    out[name] = (async (input: Input) => {
      await check(input);
      return inner(input);
    }) as never;
  };
  /** The server a pending approval is for (an answer names only the approval). */
  const approvalServer = async (id: unknown): Promise<string | undefined> => {
    const list = (await (handlers['approvals.list'] as (() => Promise<Array<{ id: string; server: string }>>) | undefined)?.()) ?? [];
    return list.find((a) => a.id === id)?.server;
  };
  const after = (name: string, shape: (result: unknown) => unknown) => {
    const inner = out[name] as ((input: Input) => Promise<unknown>) | undefined;
    if (!inner) return;
    out[name] = (async (input: Input) => shape(await inner(input))) as never;
  };

  before('servers.add', (input) => assertServerPermitted(view, input as never, 'added'));
  before('servers.setCapture', (input) => assertCaptureAllowed(view, String(input.name), input.capturePayloads === true));
  before('policy.setTier', (input) => assertTierChangeAllowed(view, String(input.server), input.tier as never));
  before('settings.set', (input) => assertSettingsChangeAllowed(view, input));
  before('approvals.settings', (input) => assertSettingsChangeAllowed(view, input));
  before('approvals.answer', async (input) => {
    const always = input.scope === 'always';
    assertAlwaysAllowAllowed(view, input.effect as never, always);
    if (always && input.effect === 'allow') assertAlwaysAllowAllowed(view, 'allow', true, await approvalServer(input.id));
  });
  before('rules.add', (input) => assertAlwaysAllowAllowed(view, input.effect as never, true, String(input.server)));
  // A tool set to allow in Servers & tools allows it for good: an "always allow" by another name.
  before('policy.setOverride', (input) => assertAlwaysAllowAllowed(view, input.effect as never, true, String(input.server)));

  // Reads show the values in force: managed ones replace the person's.
  after('settings.get', (s) => managedSettingsView(s as Settings, view.policy()));
  after('settings.set', (s) => managedSettingsView(s as Settings, view.policy()));
  return out as H;
}
