// Servers & tools: each server's tier, state and stderr; its tools with risk, pin state, flags and
// per-tool overrides; add and remove servers. What managed policy locks (a fixed tier, a forbidden
// server, capture kept off) is shown with a lock and who manages it, and its control is disabled.
import { useState } from 'react';
import type { ServerView } from '../../shared/api/servers.js';
import type { Tier } from '../../shared/words.js';
import { useAction, useApi, useQuery } from '../api/hooks.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { ManagedLock } from '../components/ManagedLock.js';
import { useFocusFallback } from '../useFocusFallback.js';
import { AddServerForm } from './AddServerForm.js';
import { CaptureToggle, ServerTools, TierSelect } from './ServerTools.js';

function summary(server: ServerView): string {
  const c = server.config;
  return c.transport === 'stdio' ? [c.command, ...c.args].join(' ') : c.url;
}

function Stderr({ name }: { name: string }) {
  const stderr = useQuery((c) => c['servers.stderr']({ name }), [name], ['servers.changed']);
  const lines = stderr.data?.lines ?? [];
  return (
    <div className="stack" style={{ gap: 4 }}>
      <h3>stderr</h3>
      <ErrorNote error={stderr.error} />
      {lines.length ? (
        <pre className="stderr mono" tabIndex={0} aria-label={`stderr of ${name}`}>
          {lines.join('\n')}
        </pre>
      ) : (
        <p className="muted">Nothing written to stderr yet.</p>
      )}
    </div>
  );
}

/** The locks managed policy puts on one server, each naming who manages the machine. */
function ServerLocks({ server }: { server: ServerView }) {
  const m = server.managed;
  if (!m) return null;
  return (
    <div className="server-locks" aria-label={`Managed policy on ${server.config.name}`}>
      {m.forbidden ? (
        <div className="stack" style={{ gap: 4 }}>
          <ManagedLock policy={m} what="Blocked" />
          {/* A broken file's message is shown once, above the list. */}
          {m.broken ? null : (
            <p className="muted" style={{ margin: 0, fontSize: 12 }}>
              {m.forbidden}
            </p>
          )}
        </div>
      ) : null}
      {m.tier && !m.broken ? <ManagedLock policy={m} what={`Tier fixed at ${m.tier}`} /> : null}
      {m.captureOff && !m.broken && !server.config.capturePayloads ? <ManagedLock policy={m} what="Payload capture kept off" /> : null}
    </div>
  );
}

function ServerPanel({ server, open, onToggle }: { server: ServerView; open: boolean; onToggle(): void }) {
  const api = useApi();
  const remove = useAction(async () => api.client['servers.remove']({ name: server.config.name }));
  const [confirming, setConfirming] = useState(false);
  const name = server.config.name;
  return (
    <section className="panel server" aria-label={`Server ${name}`}>
      <div className="server-head">
        <button type="button" className="link" aria-expanded={open} aria-controls={`server-${name}`} aria-label={`Show tools and stderr of ${name}`} onClick={onToggle}>
          {open ? '▾' : '▸'}
        </button>
        <div className="stack" style={{ gap: 2, flex: 1, minWidth: 0 }}>
          <h2>
            <code>{name}</code>
          </h2>
          <span className="muted mono" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
            {summary(server)}
          </span>
        </div>
        {server.managed?.forbidden ? (
          <span className="pill blocked" title={server.managed.forbidden}>
            blocked by IT
          </span>
        ) : (
          <span className={`pill ${server.state}`} title={server.lastError}>
            {server.state}
          </span>
        )}
        <span className="muted" style={{ fontSize: 12 }}>
          {server.sessions} session{server.sessions === 1 ? '' : 's'}
          {server.restarts ? ` · ${server.restarts} restart${server.restarts === 1 ? '' : 's'}` : ''}
        </span>
        <TierSelect server={name} tier={server.config.tier as Tier} locked={!!server.managed?.tier} />
        <CaptureToggle server={name} on={server.config.capturePayloads} locked={!!server.managed?.captureOff} />
        {confirming ? (
          <span className="row">
            <button
              type="button"
              className="danger"
              disabled={remove.busy}
              onClick={() => {
                // Closed first: an open panel would ask for the tools and stderr of a server that is gone.
                if (open) onToggle();
                void remove.run();
              }}
            >
              Remove {name}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} aria-label={`Remove server ${name}`}>
            Remove
          </button>
        )}
      </div>
      <ServerLocks server={server} />
      <ErrorNote error={remove.error} />
      {server.lastError ? (
        <p className="error" style={{ margin: '0 16px 12px' }}>
          {server.lastError}
        </p>
      ) : null}
      {open ? (
        <div className="server-body" id={`server-${name}`}>
          <ServerTools server={name} />
          <Stderr name={name} />
        </div>
      ) : null}
    </section>
  );
}

export function ServersScreen() {
  const servers = useQuery((c) => c['servers.list']({}), [], ['servers.changed']);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [adding, setAdding] = useState(false);
  const list = servers.data ?? [];
  const broken = list.find((s) => s.managed?.broken)?.managed?.broken;
  // A removed server's panel leaves with the button that had focus.
  const screenRef = useFocusFallback<HTMLDivElement>(list);
  return (
    <div className="stack" ref={screenRef} tabIndex={-1}>
      <div className="screen-head">
        <div>
          <h1>Servers &amp; tools</h1>
          <p className="muted">The MCP servers your clients reach through Warden, and how far each is trusted.</p>
        </div>
        <button type="button" className="primary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
          Add server
        </button>
      </div>
      {adding ? <AddServerForm onDone={() => setAdding(false)} /> : null}
      {broken ? (
        <p className="error" role="alert">
          {broken} Every call is denied, and nothing managed policy controls can be changed, until it is fixed.
        </p>
      ) : null}
      <ErrorNote error={servers.error} />
      {!servers.loading && !list.length ? (
        <div className="panel empty">
          <h2>No servers yet</h2>
          <p>Add one here, or run <code>warden servers add &lt;name&gt; -- &lt;command&gt;</code>.</p>
        </div>
      ) : null}
      {list.map((server) => (
        <ServerPanel
          key={server.config.name}
          server={server}
          open={open[server.config.name] ?? list.length === 1}
          onToggle={() => setOpen((o) => ({ ...o, [server.config.name]: !(o[server.config.name] ?? list.length === 1) }))}
        />
      ))}
    </div>
  );
}
