// The window: a sidebar with the five places, and the screen of the current one.
import { useEffect } from 'react';
import { Icon, type IconName } from './components/Icon.js';
import { useConnection, useQuery } from './api/hooks.js';
import { navigate, useRoute, type Screen } from './route.js';
import { applyTheme } from './theme.js';
import { ApprovalsScreen } from './screens/Approvals.js';
import { ServersScreen } from './screens/Servers.js';
import { ActivityScreen } from './screens/Activity.js';
import { ClientsScreen } from './screens/Clients.js';
import { SettingsScreen } from './screens/Settings.js';
import { usePendingApprovals } from './screens/usePendingApprovals.js';

const NAV: Array<{ screen: Screen; label: string; icon: IconName }> = [
  { screen: 'approvals', label: 'Approvals', icon: 'inbox' },
  { screen: 'servers', label: 'Servers & tools', icon: 'server' },
  { screen: 'activity', label: 'Activity', icon: 'activity' },
  { screen: 'clients', label: 'Clients', icon: 'clients' },
  { screen: 'settings', label: 'Settings', icon: 'settings' },
];

export function App() {
  const route = useRoute();
  const connection = useConnection();
  const pending = usePendingApprovals();
  const settings = useQuery((c) => c['settings.get']({}), [], ['settings.changed', 'managed.changed']);

  useEffect(() => {
    if (settings.data) applyTheme(settings.data.theme);
  }, [settings.data]);

  useEffect(() => {
    const count = pending.data?.length ?? 0;
    document.title = count ? `(${count}) Warden` : 'Warden';
  }, [pending.data]);

  const count = pending.data?.length ?? 0;
  if (connection === 'signed-out') return <SignedOut />;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Warden">
        <div className="brand">
          <Icon name="shield" size={22} />
          Warden
        </div>
        {NAV.map((item) => (
          <a
            key={item.screen}
            className="nav-link"
            href={`#/${item.screen}`}
            aria-current={route.screen === item.screen ? 'page' : undefined}
          >
            <span className="row" style={{ gap: 10 }}>
              <Icon name={item.icon} />
              {item.label}
            </span>
            {item.screen === 'approvals' && count > 0 ? (
              <span className="badge" aria-label={`${count} waiting`}>
                {count}
              </span>
            ) : null}
          </a>
        ))}
        <div className="sidebar-foot" role="status" aria-live="polite">
          <span className={`dot ${connection}`} aria-hidden="true" />
          {connection === 'open' ? 'Engine connected' : connection === 'lost' ? 'Engine not reachable' : 'Connecting…'}
        </div>
      </nav>
      <main className={`content${route.screen === 'activity' ? ' fill' : ''}`} id="main">
        {route.screen === 'approvals' ? <ApprovalsScreen pending={pending} focusId={route.param} /> : null}
        {route.screen === 'servers' ? <ServersScreen /> : null}
        {route.screen === 'activity' ? <ActivityScreen recordId={route.param} /> : null}
        {route.screen === 'clients' ? <ClientsScreen /> : null}
        {route.screen === 'settings' ? <SettingsScreen settings={settings} onNavigate={navigate} /> : null}
      </main>
    </div>
  );
}

/** A browser tab without a Warden session: the page alone can do nothing, so it says how to get one. */
function SignedOut() {
  return (
    <main className="signed-out" id="main">
      <h1>
        <Icon name="shield" size={22} /> Warden
      </h1>
      <p role="alert">This tab has no Warden session, or its session ended (Warden restarted, or the tab was unused for 12 hours).</p>
      <p>
        Open the link that <code>warden serve</code> printed (each link works once), or run <code>warden ui</code> for a new one.
      </p>
    </main>
  );
}
