// The approval broker: calls that ask wait here until a person answers, the approval times out, the
// client gives up, or the engine stops. The same call asked again (same client, server, tool and
// arguments) joins the approval already waiting instead of raising a second one. While calls wait,
// their clients get progress notifications. Every way out resolves every waiter: nothing hangs.
import { randomBytes } from 'node:crypto';
import type { ApprovalView } from '../../../shared/policy.js';
import type { Decision, WaitingChannel } from '../pipeline.js';
import { canonicalJson } from '../policy/pins.js';

export type PendingRequest = Omit<ApprovalView, 'id' | 'createdAt' | 'expiresAt' | 'waiting'>;

export type BrokerOutcome =
  | { kind: 'answered'; decision: Decision }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'cancelled' }
  | { kind: 'closed'; reason: string };

interface Waiter {
  channel: WaitingChannel;
  signal: AbortSignal;
  resolve: (o: BrokerOutcome) => void;
  onAbort: () => void;
}

interface Entry {
  view: ApprovalView;
  key: string;
  waiters: Set<Waiter>;
  timer: NodeJS.Timeout;
  ticker?: NodeJS.Timeout;
  timeoutMs: number;
  /** While held: the time that was left when the hold began. */
  heldLeftMs?: number;
}

/** A hold pauses the timeout for at most this long; then the approval times out as usual. */
export const MAX_HOLD_MS = 5 * 60_000;

export interface BrokerOptions {
  timeoutMs: () => number;
  progressMs: () => number;
  now?: () => number;
  /** Called whenever the set of pending approvals changes. */
  onChange?: (change: { type: 'added' | 'joined' | 'updated' | 'resolved'; approval: ApprovalView; outcome?: BrokerOutcome['kind'] }) => void;
}

/**
 * The same call asked again (a retry) joins the approval already waiting. Per session: an answer "for
 * this session" belongs to one, and two sessions of one client are two conversations.
 */
const dedupeKey = (r: PendingRequest, args: unknown) => `${r.client.id}\u0000${r.sessionId}\u0000${r.server}\u0000${r.tool}\u0000${canonicalJson(args)}`;

export class ApprovalBroker {
  readonly #entries = new Map<string, Entry>();
  readonly #byKey = new Map<string, Entry>();
  #closed?: string;

  constructor(private readonly opts: BrokerOptions) {}

  #now() {
    return (this.opts.now ?? Date.now)();
  }

  /** Holds a call until it is answered; the promise always settles (answer, timeout, cancel or close). */
  wait(
    request: PendingRequest,
    channel: WaitingChannel,
    signal: AbortSignal,
    onRegistered?: (approval: ApprovalView, joined: boolean) => void,
    /** The call's full arguments when `request.arguments` is shortened for display: the same call is recognised by these. */
    fullArguments: unknown = request.arguments,
  ): Promise<BrokerOutcome> {
    if (this.#closed) return Promise.resolve({ kind: 'closed', reason: this.#closed });
    if (signal.aborted) return Promise.resolve({ kind: 'cancelled' });
    const key = dedupeKey(request, fullArguments);
    let entry = this.#byKey.get(key);
    const joined = !!entry;
    if (!entry) {
      const now = this.#now();
      const timeoutMs = this.opts.timeoutMs();
      const view: ApprovalView = {
        ...request,
        id: `a${randomBytes(4).readUInt32BE(0).toString(36)}`,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + timeoutMs).toISOString(),
        waiting: 0,
      };
      const e: Entry = {
        view,
        key,
        waiters: new Set(),
        timeoutMs,
        timer: setTimeout(() => this.#finish(e, { kind: 'timeout', timeoutMs }), timeoutMs),
      };
      const every = this.opts.progressMs();
      if (every > 0) {
        e.ticker = setInterval(() => {
          const left = Math.max(0, Math.round((Date.parse(e.view.expiresAt) - this.#now()) / 1000));
          for (const w of e.waiters) safeProgress(w.channel, `Waiting for approval in Warden (${e.view.id}): ${e.view.server}/${e.view.tool}, ${left}s left.`);
        }, every);
        e.ticker.unref?.();
      }
      entry = e;
      this.#entries.set(view.id, e);
      this.#byKey.set(key, e);
    }
    const e = entry;
    return new Promise<BrokerOutcome>((resolve) => {
      const waiter: Waiter = {
        channel,
        signal,
        resolve,
        onAbort: () => {
          e.waiters.delete(waiter);
          signal.removeEventListener('abort', waiter.onAbort);
          e.view.waiting = e.waiters.size;
          resolve({ kind: 'cancelled' });
          if (e.waiters.size === 0) this.#finish(e, { kind: 'cancelled' });
        },
      };
      e.waiters.add(waiter);
      e.view.waiting = e.waiters.size;
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      safeProgress(channel, `Waiting for approval in Warden (${e.view.id}): ${e.view.server}/${e.view.tool}.`);
      this.opts.onChange?.({ type: joined ? 'joined' : 'added', approval: { ...e.view } });
      onRegistered?.({ ...e.view }, joined);
    });
  }

  #finish(e: Entry, outcome: BrokerOutcome) {
    if (this.#entries.get(e.view.id) !== e) return false;
    this.#entries.delete(e.view.id);
    this.#byKey.delete(e.key);
    clearTimeout(e.timer);
    if (e.ticker) clearInterval(e.ticker);
    for (const w of e.waiters) {
      w.signal.removeEventListener('abort', w.onAbort);
      w.resolve(outcome);
    }
    e.waiters.clear();
    e.view.waiting = 0;
    this.opts.onChange?.({ type: 'resolved', approval: { ...e.view }, outcome: outcome.kind });
    return true;
  }

  /**
   * A person is looking at the approval: pause its timeout (for at most MAX_HOLD_MS), or resume it with
   * the time that was left (at least 10 seconds, so that letting go of a card never denies at once).
   */
  hold(id: string, held: boolean): ApprovalView | undefined {
    const e = this.#entries.get(id);
    if (!e) return undefined;
    const now = this.#now();
    if (held && e.heldLeftMs === undefined) {
      e.heldLeftMs = Math.max(0, Date.parse(e.view.expiresAt) - now);
      clearTimeout(e.timer);
      e.timer = setTimeout(() => this.#finish(e, { kind: 'timeout', timeoutMs: e.timeoutMs }), MAX_HOLD_MS);
      e.view.expiresAt = new Date(now + MAX_HOLD_MS).toISOString();
      e.view.held = true;
    } else if (!held && e.heldLeftMs !== undefined) {
      const left = Math.max(10_000, e.heldLeftMs);
      e.heldLeftMs = undefined;
      clearTimeout(e.timer);
      e.timer = setTimeout(() => this.#finish(e, { kind: 'timeout', timeoutMs: e.timeoutMs }), left);
      e.view.expiresAt = new Date(now + left).toISOString();
      e.view.held = false;
    } else return { ...e.view };
    this.opts.onChange?.({ type: 'updated', approval: { ...e.view } });
    return { ...e.view };
  }

  get(id: string): ApprovalView | undefined {
    const e = this.#entries.get(id);
    return e ? { ...e.view } : undefined;
  }

  list(): ApprovalView[] {
    return [...this.#entries.values()].map((e) => ({ ...e.view }));
  }

  /** Resolves every waiter of one approval with the person's decision. False when it no longer waits. */
  resolve(id: string, decision: Decision): boolean {
    const e = this.#entries.get(id);
    return e ? this.#finish(e, { kind: 'answered', decision }) : false;
  }

  /** Engine stopping: every waiting call is denied and no new one may wait. */
  close(reason: string): void {
    this.#closed = reason;
    for (const e of [...this.#entries.values()]) this.#finish(e, { kind: 'closed', reason });
  }
}

function safeProgress(channel: WaitingChannel, message: string) {
  try {
    channel.progress(message);
  } catch {
    // A client that went away cannot be told; its abort signal ends the wait.
  }
}
