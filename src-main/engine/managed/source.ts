// The managed policy as the engine holds it: loaded at start, re-read when the file changes (polled,
// since the file may not exist yet and its folder may be created later), with a change event.
import { EventEmitter } from 'node:events';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { ManagedPolicy, ManagedState } from '../../../shared/managed.js';
import { decisionPolicy, loadManagedPolicy, type LoadedManaged } from './load.js';
import { managedPolicyPath } from './locate.js';

export interface ManagedSourceOptions {
  /** Default: WARDEN_MANAGED_POLICY, else the system path for this OS. */
  path?: string;
  /** How often the file is checked for changes. Default 2000 ms. */
  pollMs?: number;
  now?: () => number;
}

export class ManagedPolicySource extends EventEmitter<{ change: [ManagedState] }> {
  readonly path: string;
  #loaded: LoadedManaged;
  #decisions: ManagedPolicy | undefined;
  #watching = false;

  constructor(private readonly opts: ManagedSourceOptions = {}) {
    super();
    this.path = opts.path ?? managedPolicyPath();
    this.#loaded = loadManagedPolicy(this.path, opts.now);
    this.#decisions = decisionPolicy(this.#loaded);
  }

  state(): ManagedState {
    return this.#loaded.state;
  }

  /** The valid policy in force; undefined when there is none or it is broken. */
  policy(): ManagedPolicy | undefined {
    return this.#loaded.policy;
  }

  /** What decisions use: the policy, or (file broken) a single rule that denies every call. */
  forDecisions(): ManagedPolicy | undefined {
    return this.#decisions;
  }

  /** Re-reads the file; emits `change` and returns true when what it says changed. */
  reload(): boolean {
    const next = loadManagedPolicy(this.path, this.opts.now);
    const before = this.#loaded;
    const same =
      next.state.state === before.state.state &&
      next.text === before.text &&
      (next.state.state !== 'invalid' || before.state.state !== 'invalid' || next.state.message === before.state.message);
    if (same) return false;
    this.#loaded = next;
    this.#decisions = decisionPolicy(next);
    this.emit('change', next.state);
    return true;
  }

  watch(): this {
    if (this.#watching) return this;
    this.#watching = true;
    watchFile(this.path, { interval: this.opts.pollMs ?? 2000, persistent: false }, this.#onStat);
    return this;
  }

  readonly #onStat = (_curr: Stats, _prev: Stats) => {
    this.reload();
  };

  close(): void {
    if (this.#watching) unwatchFile(this.path, this.#onStat);
    this.#watching = false;
    this.removeAllListeners();
  }
}
