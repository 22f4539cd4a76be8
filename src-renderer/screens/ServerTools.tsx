// A server's tier, and its tools with their policy view: risk, pin state, flags, the effect a call
// would get (with a lock when a managed policy rule decides it), and a per-tool override.
import type { Effect, Tier } from '../../shared/words.js';
import { Tier as TierSchema } from '../../shared/words.js';
import type { EffectivePolicy } from '../../shared/managed.js';
import type { ToolPolicyView } from '../../shared/policy.js';
import { useAction, useApi, useQuery } from '../api/hooks.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { Icon } from '../components/Icon.js';
import { ManagedLock } from '../components/ManagedLock.js';

/** `locked`: managed policy fixes the tier (the engine refuses a change), so the select is disabled. */
export function TierSelect({ server, tier, locked = false }: { server: string; tier: Tier; locked?: boolean }) {
  const api = useApi();
  const set = useAction(async (next: Tier) => api.client['policy.setTier']({ server, tier: next }));
  return (
    <span className="row">
      <select
        aria-label={`Tier of ${server}`}
        value={tier}
        disabled={locked || set.busy}
        title={locked ? 'Fixed by managed policy' : undefined}
        onChange={(e) => void set.run(e.target.value as Tier)}
      >
        {TierSchema.options.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <ErrorNote error={set.error} />
    </span>
  );
}

/** Opt-in payload capture: argument and result values go into the audit log, secrets redacted. `locked`: managed policy keeps it off. */
export function CaptureToggle({ server, on, locked = false }: { server: string; on: boolean; locked?: boolean }) {
  const api = useApi();
  const set = useAction(async (next: boolean) => api.client['servers.setCapture']({ name: server, capturePayloads: next }));
  return (
    <span className="row">
      <label className="row" style={{ gap: 4, fontSize: 12 }} title="Record argument and result values in the audit log (secrets redacted). Off: metadata only.">
        <input type="checkbox" aria-label={`Capture payloads of ${server}`} checked={on} disabled={(locked && !on) || set.busy} onChange={(e) => void set.run(e.target.checked)} />
        capture payloads
      </label>
      <ErrorNote error={set.error} />
    </span>
  );
}

/** A decision made by a managed policy rule carries the rule id `managed:<id>` (shared/managed.ts). */
const managedRuleOf = (ruleId: string): string | undefined => (ruleId.startsWith('managed:') ? ruleId.slice('managed:'.length) : undefined);

function ToolRow({ server, tool, manager }: { server: string; tool: ToolPolicyView; manager?: Pick<EffectivePolicy, 'managedBy'> }) {
  const managedRule = managedRuleOf(tool.ruleId);
  const api = useApi();
  const override = useAction(async (effect: Effect | null) => api.client['policy.setOverride']({ server, tool: tool.tool, effect }));
  const accept = useAction(async () => api.client['policy.acceptPin']({ server, tool: tool.tool }));
  return (
    <tr>
      <td>
        <code>{tool.tool}</code>
        {tool.description ? (
          <div className="muted" style={{ fontSize: 12, maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={tool.description}>
            {tool.description}
          </div>
        ) : null}
      </td>
      <td>
        <span className={`pill ${tool.risk}`}>{tool.risk}</span>
      </td>
      <td>
        <span className={`pill ${tool.pinStatus}`}>{tool.pinStatus}</span>
        {tool.pinStatus === 'changed' || tool.pinStatus === 'new' ? (
          <button type="button" className="link" disabled={accept.busy} onClick={() => void accept.run()} aria-label={`Accept the definition of ${tool.tool}`}>
            Accept
          </button>
        ) : null}
      </td>
      <td>
        {tool.flags.length ? (
          tool.flags.map((f, i) => (
            <span key={i} className="pill flag" title={`${f.message}: ${f.excerpt}`}>
              {f.kind}
            </span>
          ))
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td style={{ whiteSpace: 'nowrap' }}>
        <span className={`pill ${tool.effect}`} title={tool.reasons.join('\n')}>
          {tool.effect}
        </span>
        {managedRule ? (
          <span className="lock-mark">
            <Icon name="lock" size={13} title={`Decided by managed policy rule ${managedRule}${manager ? ` (set by ${manager.managedBy})` : ''}`} />
          </span>
        ) : null}
      </td>
      <td>
        <select
          aria-label={`Override for ${tool.tool}`}
          value={tool.override ?? ''}
          disabled={override.busy}
          onChange={(e) => void override.run(e.target.value ? (e.target.value as Effect) : null)}
        >
          <option value="">tier default</option>
          <option value="allow">always allow</option>
          <option value="ask">always ask</option>
          <option value="deny">always deny</option>
        </select>
        <ErrorNote error={override.error ?? accept.error} />
      </td>
    </tr>
  );
}

export function ServerTools({ server }: { server: string }) {
  const tools = useQuery((c) => c['policy.tools']({ server }), [server], ['policy.changed', 'servers.changed']);
  // Who manages the machine, named beside a decision a managed rule makes.
  const managed = useQuery((c) => c['policy.managed']({}), [], ['managed.changed']);
  const list = tools.data ?? [];
  const managedRules = [...new Set(list.map((t) => managedRuleOf(t.ruleId)).filter((id): id is string => !!id))];
  return (
    <div className="stack table-scroll" style={{ gap: 4 }}>
      <h3>Tools</h3>
      <ErrorNote error={tools.error} />
      {managedRules.length && managed.data ? (
        <ManagedLock policy={managed.data} what={`Calls marked with a lock are decided by managed policy rule${managedRules.length > 1 ? 's' : ''} ${managedRules.join(', ')}, set`} />
      ) : null}
      {!tools.loading && !list.length ? <p className="muted">No tools known yet: they appear once a client has listed them through Warden.</p> : null}
      {list.length ? (
        <table className="grid" aria-label={`Tools of ${server}`}>
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Risk</th>
              <th scope="col">Pin</th>
              <th scope="col">Flags</th>
              <th scope="col">A call</th>
              <th scope="col">Override</th>
            </tr>
          </thead>
          <tbody>
            {list.map((tool) => (
              <ToolRow key={tool.tool} server={server} tool={tool} manager={managed.data} />
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
