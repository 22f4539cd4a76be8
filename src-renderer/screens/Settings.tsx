// Settings: how long a call waits, asking inside the client, theme, start at login; payload capture per server.
import { useState } from 'react';
import type { Settings } from '../../shared/settings.js';
import { useAction, useApi, useQuery, type Query } from '../api/hooks.js';
import { ErrorNote } from '../components/ErrorNote.js';
import type { Screen } from '../route.js';
import { CaptureToggle } from './ServerTools.js';

export function SettingsScreen({ settings, onNavigate }: { settings: Query<Settings>; onNavigate(screen: Screen): void }) {
  const api = useApi();
  const servers = useQuery((c) => c['servers.list']({}), [], ['servers.changed']);
  // The approval timeout and asking inside the client are the guardian's own settings (policy.json).
  const approvals = useQuery((c) => c['approvals.settings']({}), [], ['policy.changed']);
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
  const [timeout, setTimeoutText] = useState<string | undefined>(undefined);
  // Choices show at once; the engine's answer (or, on failure, a reload) settles them.
  const save = useAction(async (patch: Partial<Settings>) => {
    try {
      const next = await api.client['settings.set'](patch);
      settings.set(next);
      return next;
    } catch (error) {
      settings.reload();
      throw error;
    }
  });
  const s = settings.data;
  const a = approvals.data;
  if (!s || !a) return <ErrorNote error={settings.error ?? approvals.error} />;
  const timeoutValue = timeout ?? String(a.timeoutSeconds);
  const desktop = api.transport.kind === 'desktop';
  return (
    <div className="stack" style={{ maxWidth: 640 }}>
      <div className="screen-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">Changes apply at once.</p>
        </div>
      </div>
      <ErrorNote error={save.error ?? saveApprovals.error} />
      <fieldset className="stack">
        <legend>Approvals</legend>
        <label className="field">
          Wait for an answer (seconds)
          <span className="hint" id="timeout-hint">After this, a waiting call is denied. Keep it under your clients’ 60-second request timeout.</span>
          <span className="row">
            <input
              type="number"
              min={1}
              max={3600}
              aria-describedby="timeout-hint"
              value={timeoutValue}
              onChange={(e) => setTimeoutText(e.target.value)}
              onBlur={() => {
                const n = Number(timeoutValue);
                if (Number.isInteger(n) && n !== a.timeoutSeconds) void saveApprovals.run({ timeoutSeconds: n }).then(() => setTimeoutText(undefined));
              }}
              style={{ width: 100 }}
            />
          </span>
        </label>
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
        {!desktop ? <p className="muted">Applies to the desktop app; this window is the headless engine’s browser UI.</p> : null}
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
              <CaptureToggle server={server.config.name} on={server.config.capturePayloads} />
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
