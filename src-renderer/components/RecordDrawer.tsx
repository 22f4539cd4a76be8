// One record in detail, with the decision path of its call: client -> consent -> call -> rule -> outcome.
import { useEffect, useRef } from 'react';
import type { AuditRecordView } from '../../shared/api/audit.js';
import { useQuery } from '../api/hooks.js';
import { ErrorNote } from './ErrorNote.js';
import { Icon } from './Icon.js';
import { JsonView } from './JsonView.js';

function clientText(c: AuditRecordView['client']): string {
  if (!c) return 'unknown';
  // Strings only: a record written before Warden checked the client's claim may hold anything there.
  const name = typeof c.name === 'string' ? c.name : undefined;
  const version = typeof c.version === 'string' ? c.version : undefined;
  return name ? `${name}${version ? ` ${version}` : ''} (token ${c.id})` : `token ${c.id}`;
}

export function DecisionPath({ decision, outcome }: { decision?: AuditRecordView; outcome?: AuditRecordView }) {
  const any = decision ?? outcome;
  if (!any) return null;
  const approvedByPerson = any.approver?.startsWith('user:');
  return (
    <ol className="path" aria-label="Decision path">
      <li>
        <div className="step">Client</div>
        {clientText(any.client)}
      </li>
      <li>
        <div className="step">Consent</div>
        {any.consentId ? (
          <>
            <code>{any.consentId}</code> {approvedByPerson ? `answered by ${any.approver!.replace('user:', 'you, via ')}` : `(${any.approver ?? 'policy'})`}
          </>
        ) : (
          <span className="muted">none: {any.approver === 'timeout' ? 'nobody answered in time' : any.approver === 'client' ? 'the client cancelled the call while it waited' : 'decided by policy without asking'}</span>
        )}
      </li>
      <li>
        <div className="step">Call</div>
        <code>{any.server}</code> · <code>{any.tool}</code>
        {decision?.argNames?.length ? <div className="muted">arguments: {decision.argNames.join(', ')}</div> : null}
        <div className="muted mono" style={{ fontSize: 11 }}>
          call {any.callId}
        </div>
      </li>
      <li>
        <div className="step">Rule</div>
        <code>{any.ruleId}</code> → <span className={`pill ${any.effect}`}>{any.effect}</span>
        {decision?.risk ? (
          <>
            {' '}
            risk <span className={`pill ${decision.risk}`}>{decision.risk}</span>
          </>
        ) : null}
        {decision?.reasons?.length ? (
          <ul className="reasons">
            {decision.reasons.map((r, i) => (
              <li key={i} style={{ padding: 0 }}>
                {r}
              </li>
            ))}
          </ul>
        ) : null}
      </li>
      <li>
        <div className="step">Outcome</div>
        {outcome ? (
          <>
            <span className={`pill ${outcome.status}`}>{outcome.status}</span> in {Math.round(outcome.durationMs ?? 0)} ms
          </>
        ) : decision?.status ? (
          <span className={`pill ${decision.status}`}>{decision.status}</span>
        ) : (
          <span className="muted">no outcome recorded yet</span>
        )}
      </li>
    </ol>
  );
}

export function RecordDrawer({ record, onClose }: { record: AuditRecordView; onClose(): void }) {
  const ref = useRef<HTMLElement>(null);
  const call = useQuery(async (c) => (record.callId ? (await c['audit.query']({ callId: record.callId, limit: 20 })).records : [record]), [record.seq]);
  const decision = call.data?.find((r) => r.type === 'decision');
  const outcome = call.data?.find((r) => r.type === 'outcome');

  // Focus moves in when it opens and back to what opened it (the record's row) when it closes, not to
  // the page's body.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const title = record.type === 'event' ? record.event : `${record.server} · ${record.tool}`;
  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-label={`Record ${record.seq}: ${title}`} ref={ref} tabIndex={-1}>
      <div className="row">
        <h2>{title}</h2>
        <span className="spacer" />
        <button type="button" onClick={onClose} aria-label="Close details">
          <Icon name="close" size={16} />
        </button>
      </div>
      <ErrorNote error={call.error} />
      {record.type !== 'event' ? <DecisionPath decision={decision} outcome={outcome} /> : null}
      <dl className="kv">
        <dt>Record</dt>
        <dd>
          #{record.seq} · {record.type}
        </dd>
        <dt>Time</dt>
        <dd>{new Date(record.time).toLocaleString()}</dd>
        {record.argDigest ? (
          <>
            <dt>Arguments digest</dt>
            <dd className="mono" style={{ fontSize: 11 }}>
              {record.argDigest}
            </dd>
          </>
        ) : null}
        <dt>Hash</dt>
        <dd className="mono" style={{ fontSize: 11 }}>
          {record.hash}
        </dd>
        <dt>Previous</dt>
        <dd className="mono" style={{ fontSize: 11 }}>
          {record.prev}
        </dd>
      </dl>
      {record.data ? <JsonView value={record.data} label="Event data" open /> : null}
      {decision?.args !== undefined ? <JsonView value={decision.args} label="Captured arguments (secrets redacted)" /> : null}
      {outcome?.result !== undefined ? <JsonView value={outcome.result} label="Captured result (secrets redacted)" /> : null}
      {record.type !== 'event' && decision?.args === undefined ? (
        <p className="muted">Arguments and results are not stored (metadata only). Payload capture is a per-server choice.</p>
      ) : null}
    </aside>
  );
}
