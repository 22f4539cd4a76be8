// Auto-update for the installed desktop app, through electron-updater and the feed electron-builder
// wrote into the app (electron-builder.yml `publish`). Thin: whether updates may run is decided in
// engine/managed/auto-update.ts (managed policy wins over the person's setting; a broken managed
// file means no updates), and is decided again whenever the managed policy or the settings change.
// It takes app.isPackaged and the way to load electron-updater from main.ts, so that it can be tested
// without Electron (test/electron/updater.test.ts, with a stand-in updater and a real engine).
import type { AppUpdater } from 'electron-updater';
import type { Engine } from '../engine/engine.js';
import { decideAutoUpdate, type AutoUpdateDecision } from '../engine/managed/auto-update.js';

const CHECK_EVERY_MS = 6 * 60 * 60 * 1000;

/** What this class uses of electron-updater's AppUpdater. */
export type Updater = Pick<AppUpdater, 'autoDownload' | 'autoInstallOnAppQuit' | 'checkForUpdates' | 'on'> & { logger: AppUpdater['logger'] };

export interface UpdaterOptions {
  /** app.isPackaged */
  packaged: boolean;
  /** Loads electron-updater's autoUpdater (only once updates may run). */
  load: () => Promise<Updater>;
  checkEveryMs?: number;
}

/** electron-updater's autoUpdater, loaded when first needed. */
export const loadElectronUpdater = async (): Promise<Updater> => (await import('electron-updater')).default.autoUpdater;

export class DesktopUpdater {
  #updater: Updater | undefined;
  #timer: NodeJS.Timeout | undefined;
  #decision: AutoUpdateDecision | undefined;
  #cancel: (() => void) | undefined;
  #off: Array<() => void> = [];

  constructor(
    private readonly engine: Pick<Engine, 'settings' | 'managed' | 'logger' | 'audit' | 'on'>,
    private readonly options: UpdaterOptions,
  ) {}

  /** The decision in force (undefined before start). */
  get decision(): AutoUpdateDecision | undefined {
    return this.#decision;
  }

  decide(): AutoUpdateDecision {
    let user: boolean | Error;
    try {
      user = this.engine.settings.get().autoUpdate;
    } catch (error) {
      user = error as Error;
    }
    return decideAutoUpdate({ packaged: this.options.packaged, managed: this.engine.managed.state(), policy: this.engine.managed.policy(), user });
  }

  start(): this {
    const refresh = () => void this.refresh().catch((error: Error) => this.engine.logger.warn('update.failed', { message: error.message }));
    this.#off.push(this.engine.on('managed.changed', refresh), this.engine.on('settings.changed', refresh));
    refresh();
    return this;
  }

  async refresh(): Promise<void> {
    const next = this.decide();
    const before = this.#decision;
    this.#decision = next;
    if (before && before.enabled === next.enabled && before.reason === next.reason) return;
    this.engine.logger.info(next.enabled ? 'update.enabled' : 'update.disabled', { source: next.source, reason: next.reason });
    if (next.enabled) await this.#enable();
    else this.#disable();
  }

  async #enable(): Promise<void> {
    if (!this.#updater) {
      // Loaded only when updates may run: a development copy or a machine where IT turned updates off never touches it.
      const updater = await this.options.load();
      const log = this.engine.logger;
      updater.logger = {
        info: (message?: unknown) => log.info('update.info', { message: String(message) }),
        warn: (message?: unknown) => log.warn('update.warning', { message: String(message) }),
        error: (message?: unknown) => log.error('update.error', { message: String(message) }),
      };
      updater.on('update-downloaded', (info: { version: string }) => {
        log.info('update.downloaded', { version: info.version });
        void this.engine.audit.event('update.downloaded', { version: info.version }).catch(() => undefined);
      });
      this.#updater = updater;
    }
    // A decision may have turned updates off while the module loaded.
    if (!this.#decision?.enabled) return this.#disable();
    this.#updater.autoDownload = true;
    this.#updater.autoInstallOnAppQuit = true;
    const check = () => {
      if (!this.#decision?.enabled || !this.#updater) return;
      void this.#updater
        .checkForUpdates()
        .then((result) => {
          const token = result?.cancellationToken;
          this.#cancel = token ? () => token.cancel() : undefined;
        })
        .catch((error: Error) => this.engine.logger.warn('update.check_failed', { message: error.message }));
    };
    check();
    clearInterval(this.#timer);
    this.#timer = setInterval(check, this.options.checkEveryMs ?? CHECK_EVERY_MS);
    this.#timer.unref();
  }

  #disable(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    // A download under way stops, and one already downloaded is not installed when the app quits.
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#updater) {
      this.#updater.autoDownload = false;
      this.#updater.autoInstallOnAppQuit = false;
    }
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
    this.#disable();
  }
}
