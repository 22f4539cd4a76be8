// The live state of each configured server across all its sessions: how many sessions are connected,
// its stderr tail, its crashes and the backoff before the next restart.
import type { ServerState, ServerView } from '../../../shared/api/servers.js';
import type { ServerConfig } from '../../../shared/servers.js';
import { WardenError } from '../errors.js';
import type { Logger } from '../log.js';
import { StderrTail } from './stderr.js';
import { Downstream, type SecretResolver } from './downstream.js';

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** Waiting longer than this for a restart would outlast the client's patience: fail fast instead. */
const BACKOFF_WAIT_LIMIT_MS = 5_000;
/** A server that stayed up this long has recovered: its crash count starts over. */
const STABLE_MS = 60_000;
/**
 * Crashes this close together are one event (every session's process killed at once, the machine out
 * of memory), not crashes "in a row": shorter than BACKOFF_BASE_MS, so a restarted process that crashes
 * again always counts.
 */
const TOGETHER_MS = 200;
/** An unused warm spare is stopped after this long. */
const SPARE_IDLE_MS = 5 * 60_000;
/** How long after a session starts its server's next spare boots. */
const SPARE_DELAY_MS = 250;

export class ServerRuntime {
  readonly stderr = new StderrTail();
  state: ServerState = 'idle';
  sessions = 0;
  restarts = 0;
  lastError?: string;
  #crashesInARow = 0;
  #lastCrashAt = 0;
  #runningSince = 0;
  /** Starts under way (one per session starting its process), and the state before the first of them. */
  #starts = 0;
  #beforeStarts: ServerState = 'idle';
  #spare?: { downstream: Downstream; key: string; timer: NodeJS.Timeout };
  #spareTimer: NodeJS.Timeout | undefined;
  #retired = false;

  constructor(
    readonly name: string,
    private readonly logger: Logger,
  ) {}

  starting(): void {
    if (this.#starts++ === 0) this.#beforeStarts = this.state;
    if (this.state !== 'running') this.state = 'starting';
  }

  started(): void {
    this.#startEnded();
    this.state = 'running';
    this.#runningSince = Date.now();
  }

  #startEnded(): void {
    this.#starts = Math.max(0, this.#starts - 1);
  }

  /**
   * A start given up because its session ended, not because of the server: once no other start is
   * under way, a state still "starting" goes back to what it was before (idle, or the crash).
   */
  abandoned(): void {
    this.#startEnded();
    if (this.#starts === 0 && this.state === 'starting') this.state = this.#beforeStarts;
  }

  failed(message: string): void {
    this.#startEnded();
    this.state = 'failed';
    this.lastError = message;
    this.logger.warn('server.start_failed', { server: this.name, message });
  }

  crashed(reason: string): void {
    const now = Date.now();
    if (this.#runningSince && now - this.#runningSince > STABLE_MS) this.#crashesInARow = 0;
    const together = this.#crashesInARow > 0 && now - this.#lastCrashAt < TOGETHER_MS;
    if (!together) this.#crashesInARow += 1;
    this.#lastCrashAt = now;
    this.state = 'crashed';
    this.lastError = `exited: ${reason}`;
    // Its stderr is in logs/servers.log, not here: a server may print the arguments it was given.
    this.logger.warn('server.crashed', { server: this.name, reason, crashesInARow: this.#crashesInARow });
  }

  /** Waits out the backoff before a restart, or refuses when the wait would be too long. */
  async beforeRestart(): Promise<void> {
    if (this.#crashesInARow === 0) return;
    this.restarts += 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.#crashesInARow - 1));
    const wait = this.#lastCrashAt + delay - Date.now();
    if (wait <= 0) return;
    if (wait > BACKOFF_WAIT_LIMIT_MS) {
      throw new WardenError(
        'server_crashed',
        `Server \`${this.name}\` crashed ${this.#crashesInARow} times in a row; Warden will try again in ${Math.ceil(wait / 1000)} s. See its stderr in Servers & tools → ${this.name}, or logs/servers.log.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /**
   * A started process of this stdio server, ready for the next session, so that a client launching
   * `warden connect` is not kept waiting for the server to boot. Only for a server already in use, only
   * while its configuration is unchanged, stopped after a few idle minutes.
   */
  get sparePid(): number | null {
    return this.#spare?.downstream.pid ?? null;
  }

  takeSpare(config: ServerConfig): Downstream | undefined {
    const spare = this.#spare;
    if (!spare) return undefined;
    this.#spare = undefined;
    clearTimeout(spare.timer);
    if (spare.key === JSON.stringify(config) && spare.downstream.alive) return spare.downstream;
    void spare.downstream.close();
    return undefined;
  }

  /** Boots the next spare a moment from now: at once, it would compete for the CPU with the session that asked. */
  warmSpareSoon(config: ServerConfig, resolveSecret?: SecretResolver): void {
    if (this.#spareTimer || this.#retired) return;
    this.#spareTimer = setTimeout(() => {
      this.#spareTimer = undefined;
      this.warmSpare(config, resolveSecret);
    }, SPARE_DELAY_MS);
    this.#spareTimer.unref();
  }

  warmSpare(config: ServerConfig, resolveSecret?: SecretResolver): void {
    if (config.transport !== 'stdio' || this.#spare || this.#crashesInARow > 0 || this.#retired) return;
    const events = Downstream.holding(
      (chunk) => void this.stderr.push(chunk),
      () => {
        if (this.#spare?.downstream === downstream) this.disposeSpare();
      },
    );
    const downstream = new Downstream(config, events, resolveSecret);
    events.held = downstream;
    const timer = setTimeout(() => this.disposeSpare(), SPARE_IDLE_MS);
    timer.unref();
    this.#spare = { downstream, key: JSON.stringify(config), timer };
    downstream.start().then(
      () => downstream.warmUp(),
      () => this.disposeSpare(),
    );
  }

  /** The engine stops: no spare now or later. */
  retire(): void {
    this.#retired = true;
    this.disposeSpare();
  }

  disposeSpare(): void {
    clearTimeout(this.#spareTimer);
    this.#spareTimer = undefined;
    const spare = this.#spare;
    this.#spare = undefined;
    if (!spare) return;
    clearTimeout(spare.timer);
    void spare.downstream.close();
  }

  view(config: ServerConfig): ServerView {
    return { config, state: this.state, sessions: this.sessions, lastError: this.lastError, restarts: this.restarts };
  }
}
