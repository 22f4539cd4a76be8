// What the shell says in the tray and in notifications. Pure.
import { clientLabel } from '../../shared/client-label.js';
import type { ApprovalView } from '../../shared/policy.js';

export function trayTooltip(pending: number): string {
  if (pending === 0) return 'Warden: nothing waiting';
  return `Warden: ${pending} call${pending === 1 ? '' : 's'} waiting for you`;
}

/** The tray title next to the icon (macOS menu bar): the count, or nothing. */
export function trayTitle(pending: number): string {
  return pending > 0 ? String(pending) : '';
}

export function notificationFor(approval: ApprovalView): { title: string; body: string } {
  const who = clientLabel(approval.client, { version: false });
  const changed = approval.pinChanges.length ? ' Its definition changed.' : '';
  const flagged = approval.flags.length ? ' Its description looks suspicious.' : '';
  return {
    title: `${approval.server}: ${approval.tool} waits for you`,
    body: `${who} asks to run ${approval.tool} (risk ${approval.risk}).${changed}${flagged}`,
  };
}
