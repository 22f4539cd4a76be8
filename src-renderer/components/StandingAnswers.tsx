// The answers that still decide calls: standing rules ("always allow / deny" answers, and rules added
// with `warden policy rule add`) and time-limited or session consents, each with the way to take it back.
// Without this, an "always deny" pressed on a card could only be undone from the command line.
import type { ReactNode } from 'react';
import type { ArgConstraint, Consent, Rule } from '../../shared/policy.js';
import { useAction, useApi, useQuery } from '../api/hooks.js';
import { ErrorNote } from './ErrorNote.js';

function conditions(when: ArgConstraint[]): string {
  if (!when.length) return 'every call';
  return when.map((c) => (c.op === 'prefix' ? `${c.arg} under ${c.value}` : `${c.arg} = ${JSON.stringify(c.value)}`)).join(', and ');
}

function lasts(consent: Consent): string {
  if (consent.scope === 'session') return 'this session';
  if (consent.expiresAt) return `until ${new Date(consent.expiresAt).toLocaleTimeString()}`;
  return consent.scope;
}

function RuleRow({ rule }: { rule: Rule }) {
  const api = useApi();
  const remove = useAction(async () => api.client['rules.remove']({ id: rule.id }));
  return (
    <tr>
      <td>
        <span className={`pill ${rule.effect}`}>{rule.effect}</span>
      </td>
      <td>
        <code>
          {rule.server}/{rule.tool}
        </code>
      </td>
      <td>{conditions(rule.when)}</td>
      <td>{rule.client ?? 'any client'}</td>
      <td className="muted">{rule.consentId ? 'your “always” answer' : (rule.note ?? 'a rule you added')}</td>
      <td>
        <button type="button" disabled={remove.busy} onClick={() => void remove.run()} aria-label={`Remove rule ${rule.id}: ${rule.effect} ${rule.server}/${rule.tool}`}>
          Remove
        </button>
        <ErrorNote error={remove.error} />
      </td>
    </tr>
  );
}

function ConsentRow({ consent }: { consent: Consent }) {
  const api = useApi();
  const revoke = useAction(async () => api.client['consents.revoke']({ id: consent.id }));
  return (
    <tr>
      <td>
        <span className={`pill ${consent.effect}`}>{consent.effect}</span>
      </td>
      <td>
        <code>
          {consent.server}/{consent.tool}
        </code>
      </td>
      <td>{conditions(consent.when)}</td>
      <td>{consent.client ?? 'any client'}</td>
      <td>{lasts(consent)}</td>
      <td>
        <button type="button" disabled={revoke.busy} onClick={() => void revoke.run()} aria-label={`Revoke: ${consent.effect} ${consent.server}/${consent.tool} ${lasts(consent)}`}>
          Revoke
        </button>
        <ErrorNote error={revoke.error} />
      </td>
    </tr>
  );
}

/** One table of answers: the same columns for rules and consents but the fifth (where from, how long). */
function AnswersTable({ label, fifth, children }: { label: string; fifth: string; children: ReactNode }) {
  return (
    <table className="grid" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Effect</th>
          <th scope="col">Tool</th>
          <th scope="col">When</th>
          <th scope="col">Client</th>
          <th scope="col">{fifth}</th>
          <th scope="col">
            <span className="sr-only">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function StandingAnswers() {
  const rules = useQuery((c) => c['rules.list']({}), [], ['policy.changed', 'consents.changed']);
  const consents = useQuery((c) => c['consents.list']({}), [], ['consents.changed']);
  // "Always" answers are listed once, as the rule they made.
  const limited = (consents.data?.active ?? []).filter((c) => c.scope !== 'always' && c.scope !== 'once');
  const ruleList = rules.data ?? [];
  return (
    <section className="panel panel-body stack table-scroll" aria-labelledby="standing-answers">
      <h2 id="standing-answers">Answers that still hold</h2>
      <ErrorNote error={rules.error ?? consents.error} />
      {!rules.loading && !consents.loading && !ruleList.length && !limited.length ? (
        <p className="muted">None: every call is decided by its server's tier and the tool's risk, or asks you.</p>
      ) : null}
      {ruleList.length ? (
        <AnswersTable label="Standing rules" fifth="From">
          {ruleList.map((rule) => (
            <RuleRow key={rule.id} rule={rule} />
          ))}
        </AnswersTable>
      ) : null}
      {limited.length ? (
        <AnswersTable label="Time-limited and session answers" fifth="Lasts">
          {limited.map((consent) => (
            <ConsentRow key={consent.id} consent={consent} />
          ))}
        </AnswersTable>
      ) : null}
    </section>
  );
}
