// Clients: the MCP clients on this computer (Claude Desktop, Cursor, ...), their config files and which
// of their servers go through Warden. Protecting a file is shown first (a diff with secrets masked) and
// written only as shown; unprotecting puts the original back.
import { useState } from 'react';
import type { ClientConfigFile, ClientInfo, ProtectPlanView } from '../../shared/clients.js';
import { useAction, useApi, useQuery } from '../api/hooks.js';
import { ErrorNote } from '../components/ErrorNote.js';

function Plan({ plan, onProtect, onCancel, busy }: { plan: ProtectPlanView; onProtect(): void; onCancel(): void; busy: boolean }) {
  const nothing = !plan.rewrites.length && !plan.imports.length;
  return (
    <div className="stack" style={{ gap: 8 }} role="region" aria-label={`What protecting ${plan.path} changes`}>
      <dl className="kv">
        <dt>Routed through Warden</dt>
        <dd>{plan.rewrites.length ? plan.rewrites.join(', ') : 'none'}</dd>
        <dt>New Warden servers</dt>
        <dd>{plan.imports.length ? plan.imports.join(', ') : 'none'}</dd>
        <dt>Left as they are</dt>
        <dd>{plan.skipped.length ? plan.skipped.map((s) => `${s.name} (${s.reason})`).join('; ') : 'none'}</dd>
        <dt>Secrets to the keychain</dt>
        <dd>{plan.secretsMoved.length ? plan.secretsMoved.join(', ') : 'none'}</dd>
        <dt>Launcher</dt>
        <dd className="mono">{[plan.launcher.command, ...plan.launcher.args].join(' ')}</dd>
      </dl>
      {plan.diff ? (
        <pre className="args" tabIndex={0} aria-label="Changes to the file">
          {plan.diff}
        </pre>
      ) : null}
      <div className="row">
        <button type="button" className="primary" disabled={busy || nothing} onClick={onProtect}>
          Protect this file
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {nothing ? <span className="muted">Nothing to change.</span> : <span className="muted">A backup is kept; Unprotect restores it.</span>}
      </div>
    </div>
  );
}

function FilePanel({ file }: { file: ClientConfigFile }) {
  const api = useApi();
  const target = { client: file.client, path: file.path };
  const [plan, setPlan] = useState<ProtectPlanView | undefined>(undefined);
  const preview = useAction(async () => setPlan(await api.client['clients.preview'](target)));
  const protect = useAction(async () => {
    await api.client['clients.protect']({ ...target, expectHash: plan?.baseHash });
    setPlan(undefined);
  });
  const unprotect = useAction(async () => api.client['clients.unprotect'](target));
  return (
    <div className="stack" style={{ gap: 8 }}>
      <div className="row">
        <code style={{ wordBreak: 'break-all' }}>{file.path}</code>
        <span className="pill">{file.scope}</span>
        {file.protected ? <span className="pill allow">protected</span> : null}
        <span className="spacer" />
        {file.exists && !file.error ? (
          file.protected ? (
            <button type="button" disabled={unprotect.busy} onClick={() => void unprotect.run()}>
              Unprotect
            </button>
          ) : (
            <button type="button" disabled={preview.busy} onClick={() => void preview.run()}>
              Protect…
            </button>
          )
        ) : null}
      </div>
      {!file.exists ? <p className="muted">No config file here yet.</p> : null}
      {file.error ? (
        <p className="error">
          {file.error.message} <span className="mono">({file.error.code})</span>
        </p>
      ) : null}
      <ErrorNote error={preview.error ?? protect.error ?? unprotect.error} />
      {file.entries.length ? (
        <table className="grid" aria-label={`Servers in ${file.path}`}>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Runs</th>
              <th scope="col">Through Warden</th>
            </tr>
          </thead>
          <tbody>
            {file.entries.map((e) => (
              <tr key={e.name}>
                <td>
                  <code>{e.name}</code>
                </td>
                <td className="mono" style={{ maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={e.summary}>
                  {e.summary}
                </td>
                <td>
                  <span className={`pill ${e.state === 'protected' ? 'allow' : e.state === 'direct' ? 'ask' : ''}`} title={e.reason}>
                    {e.state === 'direct' ? 'no, direct' : e.state === 'protected' ? 'yes' : 'skipped'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {plan ? <Plan plan={plan} busy={protect.busy} onProtect={() => void protect.run()} onCancel={() => setPlan(undefined)} /> : null}
    </div>
  );
}

function ClientPanel({ info }: { info: ClientInfo }) {
  const files = info.files.filter((f) => f.exists || f.scope === 'user');
  return (
    <section className="panel" aria-label={info.displayName}>
      <div className="server-head">
        <h2>{info.displayName}</h2>
        <span className={`pill ${info.detected ? 'allow' : ''}`}>{info.detected ? 'found on this computer' : 'not found'}</span>
      </div>
      {info.detected ? (
        <div className="server-body">
          {files.map((f) => (
            <FilePanel key={f.path} file={f} />
          ))}
        </div>
      ) : null}
    </section>
  );
}

export function ClientsScreen() {
  const clients = useQuery((c) => c['clients.list']({}), [], ['clients.changed', 'servers.changed']);
  const list = [...(clients.data ?? [])].sort((a, b) => Number(b.detected) - Number(a.detected));
  return (
    <div className="stack">
      <div className="screen-head">
        <div>
          <h1>Clients</h1>
          <p className="muted">The MCP clients on this computer, and which of their servers go through Warden.</p>
        </div>
      </div>
      <ErrorNote error={clients.error} />
      {list.map((info) => (
        <ClientPanel key={info.id} info={info} />
      ))}
    </div>
  );
}
