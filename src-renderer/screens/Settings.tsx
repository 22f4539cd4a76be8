// Settings: how long a call waits, asking inside the client, theme, start at login, updates, the audit
// log's retention and forwarding to a SIEM; payload capture per server. What managed policy fixes is
// shown with a lock and who manages it, and cannot be changed here.
import { useState } from 'react';
import type { Settings } from '../../shared/settings.js';
import type { SyslogDestination, SyslogProtocol } from '../../shared/syslog.js';
import { useAction, useApi, useQuery, type Query } from '../api/hooks.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { ManagedLock } from '../components/ManagedLock.js';
import { NumberSetting } from '../components/NumberSetting.js';
import type { Screen } from '../route.js';
import { CaptureToggle } from './ServerTools.js';

const receiverText = (d: SyslogDestination) => `${d.protocol}://${d.host}:${d.port}`;
const DEFAULT_PORT: Record<SyslogProtocol, number> = { tls: 6514, tcp: 514, udp: 514 };

function AddReceiver({ onAdd, busy }: { onAdd(d: SyslogDestination): void; busy: boolean }) {
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [protocol, setProtocol] = useState<SyslogProtocol>('tls');
  const [caFile, setCaFile] = useState('');
  const portNumber = port ? Number(port) : DEFAULT_PORT[protocol];
  const ok = host.trim() !== '' && Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65536;
  return (
    <form
      className="row"
      aria-label="Add a syslog receiver"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok) return;
        onAdd({ host: host.trim(), port: portNumber, protocol, ...(protocol === 'tls' && caFile.trim() ? { caFile: caFile.trim() } : {}) });
        setHost('');
        setPort('');
        setCaFile('');
      }}
    >
      <select aria-label="Protocol" value={protocol} onChange={(e) => setProtocol(e.target.value as SyslogProtocol)}>
        <option value="tls">TLS</option>
        <option value="tcp">TCP</option>
        <option value="udp">UDP</option>
      </select>
      <input type="text" aria-label="Host" placeholder="siem.example.com" value={host} onChange={(e) => setHost(e.target.value)} style={{ width: 180 }} />
      <input type="number" aria-label="Port" placeholder={String(DEFAULT_PORT[protocol])} min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} style={{ width: 90 }} />
      {protocol === 'tls' ? (
        <input type="text" aria-label="CA file (PEM)" placeholder="CA file (PEM), optional" value={caFile} onChange={(e) => setCaFile(e.target.value)} style={{ width: 200 }} />
      ) : null}
      <button type="submit" disabled={!ok || busy}>
        Add
      </button>
    </form>
  );
}

export function SettingsScreen({ settings, onNavigate }: { settings: Query<Settings>; onNavigate(screen: Screen): void }) {
  const api = useApi();
  const servers = useQuery((c) => c['servers.list']({}), [], ['servers.changed']);
  // The approval timeout and asking inside the client are the guardian's own settings (policy.json).
  const approvals = useQuery((c) => c['approvals.settings']({}), [], ['policy.changed', 'settings.changed']);
  // What managed policy fixes, and who manages it.
  const policy = useQuery((c) => c['policy.managed']({}), [], ['managed.changed', 'settings.changed', 'policy.changed']);
  const saveApprovals = useAction(async (patch: { timeoutSeconds?: number; elicitation?: boolean }) => {
    try {
      const next = await api.client['approvals.settings'](patch);
      approvals.set(next);
      return next;
    } catch (error) {
      approvals.reload();
      throw error;
    }
  });
  // Choices show at once; the engine's answer (or, on failure, a reload) settles them.
  const save = useAction(async (patch: Partial<Settings>) => {
    try {
      const next = await api.client['settings.set'](patch);
      settings.set(next);
      policy.reload();
      return next;
    } catch (error) {
      settings.reload();
      throw error;
    }
  });
  const s = settings.data;
  const a = approvals.data;
  const p = policy.data;
  if (!s || !a || !p) return <ErrorNote error={settings.error ?? approvals.error ?? policy.error} />;
  // A number field's own error shows under it; the engine's settings come back with its answer.
  const saveSetting = (key: 'auditRetentionDays' | 'auditRetentionMaxMB') => async (value: number) => {
    settings.set(await api.client['settings.set']({ [key]: value }));
    policy.reload();
  };
  const desktop = api.transport.kind === 'desktop';
  const timeoutLocked = p.settings.approvalTimeoutSeconds.locked;
  const updates = p.settings.autoUpdate;
  const syslog = p.audit.syslog;
  const minimum = p.audit.retentionDays.minimum;
  const broken = p.managed.state === 'invalid';
  return (
    <div className="stack" style={{ maxWidth: 680 }}>
      <div className="screen-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">Changes apply at once.</p>
        </div>
      </div>
      {broken ? <p className="error">The managed policy file is broken, so nothing it could control can be changed until IT fixes it.</p> : null}
      {(p.unreadable ?? []).map((why) => (
        <p key={why} className="error" role="alert">
          {why} What it holds is missing from this screen.
        </p>
      ))}
      <ErrorNote error={save.error ?? saveApprovals.error} />
      <fieldset className="stack">
        <legend>Approvals</legend>
        <NumberSetting
          id="timeout"
          label="Wait for an answer (seconds)"
          hint="After this, a waiting call is denied. Keep it under your clients’ 60-second request timeout."
          value={a.timeoutSeconds}
          min={1}
          max={3600}
          disabled={timeoutLocked}
          save={async (timeoutSeconds) => approvals.set(await api.client['approvals.settings']({ timeoutSeconds }))}
        />
        {timeoutLocked && !broken ? <ManagedLock policy={p} /> : null}
        <label className="check">
          <input type="checkbox" checked={a.elicitation} onChange={(e) => {
              approvals.set({ ...a, elicitation: e.target.checked });
              void saveApprovals.run({ elicitation: e.target.checked });
            }} />
          Ask inside the client too, when it supports it (MCP elicitation)
        </label>
      </fieldset>
      <fieldset className="stack">
        <legend>Appearance</legend>
        <div className="row" role="radiogroup" aria-label="Theme">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className="check">
              <input type="radio" name="theme" checked={s.theme === t} onChange={() => {
                  settings.set({ ...s, theme: t });
                  void save.run({ theme: t });
                }} />
              {t === 'system' ? 'Same as the system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="stack">
        <legend>Desktop</legend>
        <label className="check">
          <input type="checkbox" checked={s.startAtLogin} disabled={!desktop} onChange={(e) => {
              settings.set({ ...s, startAtLogin: e.target.checked });
              void save.run({ startAtLogin: e.target.checked });
            }} />
          Start Warden when I log in
        </label>
        <label className="check">
          <input type="checkbox" checked={updates.value} disabled={updates.locked} onChange={(e) => {
              settings.set({ ...s, autoUpdate: e.target.checked });
              policy.set({ ...p, settings: { ...p.settings, autoUpdate: { ...updates, value: e.target.checked, source: 'user' } } });
              void save.run({ autoUpdate: e.target.checked });
            }} />
          Check for updates and install them when Warden restarts
        </label>
        {updates.locked && !broken ? <ManagedLock policy={p} what={updates.value ? 'Kept on' : 'Turned off (new versions come from IT)'} /> : null}
        {!desktop ? <p className="muted">Start at login and updates apply to the installed desktop app; this window is the headless engine’s browser UI.</p> : null}
      </fieldset>
      <fieldset className="stack">
        <legend>Audit log</legend>
        <NumberSetting
          id="retention"
          label="Keep records for (days)"
          hint={`Older days are removed from this computer; 0 keeps everything.${minimum !== undefined ? ` At least ${minimum} days.` : ''}`}
          value={s.auditRetentionDays}
          min={0}
          max={36500}
          disabled={broken}
          save={saveSetting('auditRetentionDays')}
        />
        <NumberSetting
          id="max-mb"
          label="Keep at most (MB)"
          hint={`The oldest days go first when the log grows past this; 0 sets no limit.${minimum !== undefined ? ` Never the last ${minimum} days.` : ''}`}
          value={s.auditRetentionMaxMB}
          min={0}
          disabled={broken}
          save={saveSetting('auditRetentionMaxMB')}
        />
        {minimum !== undefined && !broken ? <ManagedLock policy={p} what={`Minimum of ${minimum} days set`} /> : null}
        <div className="stack" style={{ gap: 6 }}>
          <strong>Forward to a SIEM (syslog)</strong>
          <span className="muted" style={{ fontSize: 12 }}>
            Every record is also sent as RFC 5424 syslog carrying CEF. TLS verifies the receiver’s certificate against the CA file, or the system’s CAs.
          </span>
          {syslog.value.length ? (
            <ul className="receivers" aria-label="Syslog receivers">
              {syslog.value.map((d) => (
                <li key={receiverText(d)} className="row">
                  <code>{receiverText(d)}</code>
                  {d.caFile ? <span className="muted">CA {d.caFile}</span> : null}
                  {!syslog.locked ? (
                    <button type="button" className="link" aria-label={`Remove ${receiverText(d)}`} disabled={save.busy} onClick={() => void save.run({ auditSyslog: syslog.value.filter((x) => x !== d) })}>
                      Remove
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted">Not forwarded.</span>
          )}
          {syslog.locked ? (
            broken ? null : <ManagedLock policy={p} what="Receivers set" />
          ) : (
            <AddReceiver busy={save.busy} onAdd={(d) => void save.run({ auditSyslog: [...syslog.value, d] })} />
          )}
        </div>
      </fieldset>
      <fieldset className="stack">
        <legend>Payload capture</legend>
        <p className="muted">
          The activity log records metadata only: who called what, the decision, and a digest of the arguments. Capturing arguments and
          results (with secrets redacted) is a per-server choice.
        </p>
        <ul className="stack" style={{ listStyle: 'none', paddingLeft: 0 }}>
          {(servers.data ?? []).map((server) => (
            <li key={server.config.name} className="row">
              <code>{server.config.name}</code>
              <CaptureToggle server={server.config.name} on={server.config.capturePayloads} locked={!!server.managed?.captureOff} />
            </li>
          ))}
        </ul>
        <button type="button" className="link" style={{ alignSelf: 'flex-start' }} onClick={() => onNavigate('servers')}>
          More about each server in Servers &amp; tools
        </button>
      </fieldset>
    </div>
  );
}
