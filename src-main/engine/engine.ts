// The engine: the one object the desktop app and `warden serve` both run. It owns the data directory
// (under a lock), the HTTP gateway, the live server runtimes and the API the UI and the CLI call.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { Handlers } from '../../shared/api/contract.js';
import { methods, type EventName, type Events } from '../../shared/api/index.js';
import type { z } from 'zod';
import { createRouter, type ApiCall } from './api/router.js';
import { serverHandlers } from './api/servers.js';
import { ServerStore } from './config/servers.js';
import { SettingsStore } from './config/settings.js';
import { GatewayHttp } from './gateway/http.js';
import { GatewaySocket, socketPath } from './gateway/socket.js';
import { ServerRuntime } from './gateway/runtime.js';
import { GatewaySession, type Upstream } from './gateway/session.js';
import { AggregateSession } from './gateway/aggregate.js';
import type { SecretResolver } from './gateway/downstream.js';
import { resolveSecret } from './secrets/resolve.js';
import { clientIdOf, TokenStore, type TokenOwner } from './gateway/tokens.js';
import { EngineLock } from './lock.js';
import { createFileLogger, type Logger } from './log.js';
import { dataPaths, type DataPaths } from './paths.js';
import type { AuditPoint, DecisionPoint } from './pipeline.js';
import { approvalHandlers } from './api/approvals.js';
import { lazyHandlers } from './api/lazy.js';
import { clientMethods } from '../../shared/api/clients.js';
import type { Tier } from '../../shared/words.js';
import { auditHandlers, auditSourceOf } from './api/audit.js';
import { createGuardian, type Guardian } from './policy/guardian.js';
import { PolicyStore } from './policy/store.js';
import { errorMessage, WardenError } from './errors.js';
import { DeferredAuditLog } from './audit/deferred.js';
import { VERSION } from './version.js';
import { managedHandlers } from './api/managed.js';
import { managedAuditOptions } from './managed/audit.js';
import { applyAuditSettings, userAudit } from './config/audit-settings.js';
import { guardHandlers } from './managed/guard.js';
import { applyManagedApprovals, assertServerPermitted } from './managed/locks.js';
import { lockedTier } from './managed/servers.js';
import { managedServerView } from './managed/server-view.js';
import { ManagedPolicySource, type ManagedSourceOptions } from './managed/source.js';
import { outsideChanges, readSnapshot, saveSnapshot, takeSnapshot } from './config/outside-changes.js';

export { VERSION };

export interface EngineOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  decisions?: DecisionPoint;
  audit?: AuditPoint;
  resolveSecret?: SecretResolver;
  logger?: Logger;
  /** Keep a started spare process of each stdio server in use, for fast session starts. Default on. */
  warmSpares?: boolean;
  /** Echo the engine log to stderr (warden serve --verbose). */
  echoLog?: boolean;
  /** Where the managed policy file is and how often it is checked (default: WARDEN_MANAGED_POLICY or the system path). */
  managedPolicy?: ManagedSourceOptions;
  /** How long an HTTP client session with nothing open may idle before it is ended (default: one hour). */
  sessionIdleMs?: number;
  /** Live HTTP sessions one client token may hold (default: 64). */
  maxSessionsPerClient?: number;
}

type EventPayload<K extends EventName> = z.input<Events[K]>;

export class Engine {
  readonly paths: DataPaths;
  readonly servers: ServerStore;
  readonly settings: SettingsStore;
  readonly tokens: TokenStore;
  readonly logger: Logger;
  readonly http: GatewayHttp;
  /** The local socket `warden connect` uses (lighter than HTTP for a bridge on the same machine). */
  readonly socket: GatewaySocket;
  readonly api: ApiCall;
  readonly decisions: DecisionPoint;
  /** The policy and approvals (absent when a custom decision point was given, as some gateway tests do). */
  readonly guardian?: Guardian;
  /** policy.json, watched while the engine runs so that a hand edit takes effect. */
  #policyStore?: PolicyStore;
  readonly audit: AuditPoint;
  /** Managed policy from IT: wins over everything the user sets. */
  readonly managed: ManagedPolicySource;
  /** A new one-time link to the web UI, once it is mounted (`warden serve`; the desktop app has its window). */
  uiLink: (() => string) | undefined;
  /** The guardian's approval settings that managed policy fixes (kept in step on every reload). */
  readonly #managedApprovals: { timeoutSeconds?: number } = {};
  readonly startedAt = new Date().toISOString();
  readonly #events = new EventEmitter();
  readonly #runtimes = new Map<string, ServerRuntime>();
  readonly #sessions = new Set<GatewaySession>();
  /** Sessions on the aggregated endpoint /mcp (each holds one GatewaySession per server it used). */
  readonly #aggregates = new Set<AggregateSession>();
  #lock?: EngineLock;
  #stopping?: Promise<void>;

  private constructor(readonly options: EngineOptions) {
    this.paths = dataPaths(options.dataDir);
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    this.logger = options.logger ?? createFileLogger(this.paths.logs, { echo: options.echoLog });
    this.managed = new ManagedPolicySource(options.managedPolicy);
    applyManagedApprovals(this.#managedApprovals, this.managed.policy());
    this.servers = new ServerStore(this.paths, { permit: (server) => assertServerPermitted(this.managed, server, 'added') });
    this.settings = new SettingsStore(this.paths);
    this.tokens = new TokenStore(this.paths);
    // The audit log opens in start(), once the lock makes this engine its only writer.
    this.audit = options.audit ?? new DeferredAuditLog();
    if (options.decisions) this.decisions = options.decisions;
    else {
      this.#policyStore = new PolicyStore(this.paths);
      const guardian = createGuardian({
        store: this.#policyStore,
        tierOf: (server) => this.tierOf(server),
        setTier: (server, tier) => void this.servers.setTier(server, tier),
        managed: () => this.managed.forDecisions(),
        approvals: this.#managedApprovals,
        audit: this.audit,
      });
      guardian.on('approvals', ({ pending, change }) => this.emit('approvals.changed', { pending, change: { type: change.type, id: change.approval.id, outcome: change.outcome } }));
      guardian.on('consents', (payload) => this.emit('consents.changed', payload));
      guardian.on('policy', (payload) => {
        this.emit('policy.changed', payload);
        // Pin events come from a listing itself: answering them with list_changed would loop.
        if (payload.what !== 'pin.changed' && payload.what !== 'pins') this.#toolsChanged(payload.server);
      });
      this.guardian = guardian;
      this.decisions = guardian;
    }
    const handlers: Handlers<typeof methods> = {
      ...serverHandlers(this),
      ...approvalHandlers({
        guardian: this.guardian,
        servers: this.servers,
        resolveSecret: (account) => (this.options.resolveSecret ?? ((a) => resolveSecret(a, { dataDir: this.paths.dir })))(account),
        tierChanged: () => this.emit('servers.changed', { servers: this.serverViews() }),
      }),
      ...auditHandlers(() => auditSourceOf(this.audit)),
      ...lazyHandlers(clientMethods, async () => (await import('./api/clients.js')).clientHandlers(this)),
      ...managedHandlers({
        managed: this.managed,
        servers: () => this.servers.list(),
        rules: () => this.guardian?.listRules() ?? [],
        approvals: () => this.guardian?.settings(),
        settings: () => this.settings.get(),
      }),
    };
    this.api = createRouter(guardHandlers(handlers, this.managed));
    const openSession = (server: string, owner: TokenOwner, upstream: Upstream) => this.#openSession(server, clientIdOf(owner), upstream);
    const openAggregate = (owner: TokenOwner, upstream: Upstream) => this.#openAggregate(clientIdOf(owner), upstream);
    this.http = new GatewayHttp({
      tokens: this.tokens,
      api: this.api,
      openSession,
      openAggregate,
      sessionIdleMs: options.sessionIdleMs,
      maxSessionsPerClient: options.maxSessionsPerClient,
      onIdleEnd: (ended) =>
        this.logger.info(ended.crowded ? 'session.crowded_out' : 'session.idle_ended', { server: ended.server, client: ended.client, session: ended.id, idleMs: ended.idleMs }),
    });
    this.on('servers.changed', () => this.#aggregates.forEach((a) => a.serversChanged()));
    this.socket = new GatewaySocket({ tokens: this.tokens, openSession, openAggregate, log: (event, fields) => this.logger.info(event, fields), maxSessionsPerClient: options.maxSessionsPerClient });
  }

  static async start(options: EngineOptions): Promise<Engine> {
    const engine = new Engine(options);
    engine.#lock = await EngineLock.acquire(engine.paths);
    try {
      engine.tokens.load();
      engine.servers.list(); // a broken servers.json is reported now, not at the first call
      if (engine.audit instanceof DeferredAuditLog) {
        const log = await engine.audit
          .open(
            engine.paths,
            // Managed policy adds its syslog receivers, raises retention to its minimum, and can turn capture off.
            managedAuditOptions(
              {
                capturePayloads: (server) => engine.servers.get(server)?.capturePayloads === true,
                onWarning: (message) => engine.logger.warn('audit.warning', { message }),
              },
              () => engine.managed.policy(),
              // The person's forwarding and retention (settings.json); changes apply later without a restart.
              () => userAudit(engine.settings, engine.logger),
              () => engine.managed.state(),
            ),
          )
          .catch((error: Error) => {
            throw new WardenError('audit_failed', `The audit log in ${engine.paths.audit} could not be opened (${error.message}); Warden does not run without it.`);
          });
        if (log.repair) engine.logger.warn('audit.repaired', { ...log.repair });
      }
      await engine.http.listen(options.port ?? 0);
      await engine.socket.listen(socketPath(engine.paths));
      engine.#lock.publish(engine.http.url, engine.http.port, engine.socket.path);
      engine.managed.on('change', () => void engine.#managedChanged());
      engine.managed.watch();
      engine.servers.watchForChanges();
      engine.tokens.watchForChanges();
      engine.#policyStore?.watchForChanges();
    } catch (error) {
      engine.managed.close();
      engine.servers.stopWatching();
      engine.tokens.stopWatching();
      engine.#policyStore?.stopWatching();
      if (engine.audit instanceof DeferredAuditLog) await engine.audit.close().catch(() => undefined);
      engine.#lock.release();
      throw error;
    }
    engine.logger.info('engine.started', { pid: process.pid, url: engine.http.url, version: VERSION });
    await engine.audit.event('engine.started', { pid: process.pid, url: engine.http.url, version: VERSION }).catch(() => undefined);
    await engine.#recordOutsideChanges();
    for (const event of ['servers.changed', 'policy.changed', 'settings.changed'] as const) engine.on(event, () => engine.#snapshotSoon());
    engine.#logManaged();
    return engine;
  }

  /** Changes to the configuration made while no engine ran go on record; the snapshot is taken anew. */
  async #recordOutsideChanges(): Promise<void> {
    try {
      const now = takeSnapshot(this.paths, this.servers.list());
      const before = readSnapshot(this.paths);
      const changes = before && outsideChanges(before, now);
      if (changes) {
        await this.audit.event('config.changed_outside', {
          ...changes,
          reason: 'The configuration changed while no engine watched it (the CLI with no engine running, or an edit by hand).',
        });
      }
      saveSnapshot(this.paths, now);
      this.#savedSnapshot = JSON.stringify(now);
    } catch (error) {
      this.logger.warn('config.snapshot_failed', { message: errorMessage(error) });
    }
  }

  #snapshotTimer?: NodeJS.Timeout;
  /** After the engine's own changes (on record already), so they are not taken for outside ones later. */
  #snapshotSoon(): void {
    clearTimeout(this.#snapshotTimer);
    this.#snapshotTimer = setTimeout(() => this.#saveSnapshot(), 500).unref();
  }

  /** The snapshot last written: servers.changed also comes with every session's end, and most change nothing. */
  #savedSnapshot?: string;

  #saveSnapshot(): void {
    clearTimeout(this.#snapshotTimer);
    try {
      const snapshot = takeSnapshot(this.paths, this.servers.list());
      const text = JSON.stringify(snapshot);
      if (text === this.#savedSnapshot) return;
      saveSnapshot(this.paths, snapshot);
      this.#savedSnapshot = text;
    } catch (error) {
      this.logger.warn('config.snapshot_failed', { message: errorMessage(error) });
    }
  }

  get url(): string {
    return this.http.url;
  }

  runtime(name: string): ServerRuntime {
    let runtime = this.#runtimes.get(name);
    if (!runtime) {
      runtime = new ServerRuntime(name, this.logger);
      this.#runtimes.set(name, runtime);
    }
    return runtime;
  }

  serverViews() {
    // A tier fixed by managed policy is the tier in force: show that one, with what managed policy locks.
    return this.servers.list().map((config) => managedServerView(this.runtime(config.name).view(config), this.managed));
  }

  #logManaged(): void {
    const state = this.managed.state();
    if (state.state === 'invalid') this.logger.error('managed.invalid', { path: state.path, message: state.message });
    else if (state.state === 'active') this.logger.info('managed.active', { path: state.path, managedBy: state.managedBy });
  }

  /** The managed policy file changed: new limits apply now, and sessions of servers it now forbids end. */
  async #managedChanged(): Promise<void> {
    const state = this.managed.state();
    applyManagedApprovals(this.#managedApprovals, this.managed.policy());
    applyAuditSettings(this);
    this.#logManaged();
    await this.audit.event('managed.changed', { path: state.path, state: state.state, ...(state.state === 'invalid' ? { problems: state.problems.length } : {}) }).catch(() => undefined);
    for (const name of new Set([...this.#sessions].map((s) => s.serverName))) {
      try {
        const config = this.servers.get(name);
        if (config) assertServerPermitted(this.managed, config, 'connected');
      } catch (error) {
        await this.closeSessions(name, (error as Error).message);
      }
    }
    this.emit('managed.changed', { managed: state });
    this.emit('policy.changed', { what: 'managed' });
    this.#toolsChanged();
    this.emit('servers.changed', { servers: this.serverViews() });
  }

  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
    this.#events.on(name, listener);
    return () => this.#events.off(name, listener);
  }

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this.#events.emit(name, payload);
  }

  /** Tells the clients of a server (or of all servers) that their tool lists may have changed. */
  #toolsChanged(server?: string): void {
    for (const session of this.#sessions) if (!server || server === '*' || session.serverName === server) session.toolsChanged();
    for (const aggregate of this.#aggregates) aggregate.toolsChanged(server);
  }

  /** Sessions of one server are closed when it is removed or changed, so the next one sees the change. */
  async closeSessions(server: string, reason: string): Promise<void> {
    this.#runtimes.get(server)?.disposeSpare();
    await Promise.all([...this.#sessions].filter((s) => s.serverName === server).map((s) => s.close(reason)));
  }

  /** A session on /mcp: its inner sessions are opened through #openSession, so policy and audit apply to each. */
  #openAggregate(clientId: string, upstream: Upstream): AggregateSession {
    if (this.#stopping) throw new WardenError('engine_not_running', 'Warden is stopping.');
    const aggregate = new AggregateSession({
      clientId,
      upstream,
      logger: this.logger,
      // Blocked servers are left out (never started), as their tools would all be hidden.
      servers: () => this.servers.list().filter((s) => this.tierOf(s.name) !== 'blocked').map((s) => s.name),
      openSession: (server, inner, onClose) => this.#openSession(server, clientId, inner, onClose),
      onOpen: () => this.logger.info('session.opened', { server: '*', client: clientId, session: aggregate.id }),
      onClose: () => this.#aggregates.delete(aggregate),
    });
    this.#aggregates.add(aggregate);
    return aggregate;
  }

  #serversLog?: Logger;
  /** The servers' stderr, in logs/servers.log (opened on first use). */
  #stderrLog(): Logger {
    return (this.#serversLog ??= createFileLogger(this.paths.logs, { name: 'servers.log' }));
  }

  /** A server's tier: the one managed policy fixes, else its own. */
  tierOf(server: string): Tier {
    return lockedTier(this.managed.policy(), server) ?? this.servers.get(server)?.tier ?? 'standard';
  }

  #openSession(serverName: string, clientId: string, upstream: Upstream, closed?: () => void): GatewaySession {
    if (this.#stopping) throw new WardenError('engine_not_running', 'Warden is stopping.');
    const server = this.servers.require(serverName);
    assertServerPermitted(this.managed, server, 'connected');
    // A blocked server is never started: its command does not run for a session Warden would deny anyway.
    if (this.tierOf(server.name) === 'blocked') {
      throw new WardenError('forbidden', `Server \`${server.name}\` is blocked in Warden (tier blocked): it is not started and its tools cannot be called. Change its tier (\`warden servers tier ${server.name} standard\`, or Servers & tools) to use it.`);
    }
    const runtime = this.runtime(server.name);
    const session = new GatewaySession({
      server,
      client: { id: clientId },
      upstream,
      runtime,
      decisions: this.decisions,
      audit: this.audit,
      logger: this.logger,
      stderrLog: this.#stderrLog(),
      // Secrets come from the OS keychain of this data directory unless the caller supplies a resolver.
      resolveSecret: this.options.resolveSecret ?? ((account) => resolveSecret(account, { dataDir: this.paths.dir })),
      warmSpares: this.options.warmSpares ?? true,
      // Counted and logged from its initialize: a request refused before it (not an initialize, a
      // broken body) leaves no trace of a session that never was.
      onOpen: () => {
        runtime.sessions += 1;
        this.logger.info('session.opened', { server: server.name, client: clientId, session: session.id });
      },
      onClose: () => {
        this.#sessions.delete(session);
        this.guardian?.endSession(session.id);
        closed?.();
        if (!session.opened) return;
        runtime.sessions = Math.max(0, runtime.sessions - 1);
        if (runtime.sessions === 0 && runtime.state === 'running') runtime.state = 'idle';
        this.emit('servers.changed', { servers: this.serverViews() });
      },
    });
    // Known from the start, so that a change to its server ends it even before its initialize.
    this.#sessions.add(session);
    return session;
  }

  async stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.logger.info('engine.stopping', { sessions: this.#sessions.size });
      // Calls waiting for approval are denied first (fail closed), so no request holds the server open.
      this.guardian?.close('Warden is stopping');
      this.managed.close();
      this.servers.stopWatching();
      this.tokens.stopWatching();
      this.#policyStore?.stopWatching();
      await Promise.all([this.http.close(), this.socket.close()]);
      await Promise.all([...this.#sessions].map((s) => s.close('Warden is stopping')));
      for (const runtime of this.#runtimes.values()) runtime.retire();
      this.#saveSnapshot();
      await this.audit.event('engine.stopped', { pid: process.pid }).catch(() => undefined);
      if (this.audit instanceof DeferredAuditLog) await this.audit.close().catch((error: Error) => this.logger.error('audit.close_failed', { message: error.message }));
      this.#lock?.release();
      this.logger.info('engine.stopped', {});
    })();
    return this.#stopping;
  }
}

export const startEngine = (options: EngineOptions) => Engine.start(options);
