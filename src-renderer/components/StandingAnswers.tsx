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

/** One answer: what it decides, for which calls and clients, and the button that takes it back. */
function AnswerRow({ effect, server, tool, when, client, detail, action, actionLabel, undo }: {
  effect: string;
  server: string;
  tool: string;
  when: ArgConstraint[];
  client?: string;
  detail: ReactNode;
  action: string;
  actionLabel: string;
  undo(): Promise<unknown>;
}) {
  const run = useAction(undo);
  return (
    <tr>
      <td>
        <span className={`pill ${effect}`}>{effect}</span>
      </td>
      <td>
        <code>
          {server}/{tool}
        </code>
      </td>
      <td>{conditions(when)}</td>
      <td>{client ?? 'any client'}</td>
      <td>{detail}</td>
      <td>
        <button type="button" disabled={run.busy} onClick={() => void run.run()} aria-label={actionLabel}>
          {action}
        </button>
        <ErrorNote error={run.error} />
      </td>
    </tr>
  );
}

function RuleRow({ rule }: { rule: Rule }) {
  const api = useApi();
  return (
    <AnswerRow
      {...rule}
      detail={<span className="muted">{rule.consentId ? 'your “always” answer' : (rule.note ?? 'a rule you added')}</span>}
      action="Remove"
      actionLabel={`Remove rule ${rule.id}: ${rule.effect} ${rule.server}/${rule.tool}`}
      undo={() => api.client['rules.remove']({ id: rule.id })}
    />
  );
}

function ConsentRow({ consent }: { consent: Consent }) {
  const api = useApi();
  return (
    <AnswerRow
      {...consent}
      detail={lasts(consent)}
      action="Revoke"
      actionLabel={`Revoke: ${consent.effect} ${consent.server}/${consent.tool} ${lasts(consent)}`}
      undo={() => api.client['consents.revoke']({ id: consent.id })}
    />
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
