// Activity: the audit log as a virtualised table (smooth at 100k+ records), filters and search, the
// calls-over-time chart, a detail drawer with the decision path, and verify / export.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { decisionKind, type AuditRecordView, type VerifyView } from '../../shared/api/audit.js';
import { clientLabel } from '../../shared/client-label.js';
import { useAction, useApi, useQuery } from '../api/hooks.js';
import { CallsChart } from '../components/CallsChart.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { RecordDrawer } from '../components/RecordDrawer.js';
import { navigate } from '../route.js';
import { useRecords, type RecordFilters, type Records } from './useRecords.js';

const ROW_HEIGHT = 34;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

// One formatter for every row: toLocale*String() builds a new one per call, too slow for scrolling.
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

function timeText(iso: string): string {
  return TIME_FORMAT.format(new Date(iso));
}

function what(r: AuditRecordView): string {
  return r.type === 'event' ? (r.event ?? 'event') : `${r.server} · ${r.tool}`;
}

/** A decision's pill: the chart's words and colours (a cancelled call has no colour: nobody decided it). */
const PILL = { allowed: 'allow', approved: 'ask', denied: 'deny', cancelled: 'cancelled' } as const;

const Row = memo(function Row({ r }: { r: AuditRecordView }) {
  const d = r.type === 'event' ? undefined : decisionKind(r);
  return (
    <>
      <span role="gridcell">{timeText(r.time)}</span>
      <span role="gridcell">{r.type}</span>
      <span role="gridcell" title={what(r)}>
        {what(r)}
      </span>
      <span role="gridcell" title={r.client ? clientLabel(r.client) : undefined}>
        {r.client ? clientLabel(r.client, { version: false }) : ''}
      </span>
      <span role="gridcell">{d ? <span className={`pill ${PILL[d]}`}>{d}</span> : null}</span>
      <span role="gridcell">{r.status ? <span className={`pill ${r.status}`}>{r.status}</span> : null}</span>
      <span role="gridcell" className="muted">
        {r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : ''}
      </span>
    </>
  );
});

function download(filename: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The virtualised table: only the rows in view are in the DOM; scrolling re-renders this alone. */
function RecordTable({ records, filtered, onOpen }: { records: Records; filtered: boolean; onOpen(r: AuditRecordView): void }) {
  const [selected, setSelected] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = records.rows;

  const virtualizer = useVirtualizer({
    count: rows.length + (records.done ? 0 : 1),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  const { done, loading, loadMore } = records;
  useEffect(() => {
    if (last && last.index >= rows.length - 200 && !done && !loading) loadMore();
  }, [last, rows.length, done, loading, loadMore]);

  const onGridKey = (e: React.KeyboardEvent) => {
    if (!rows.length) return;
    let next = selected;
    if (e.key === 'ArrowDown' || e.key === 'j') next = Math.min(rows.length - 1, selected + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') next = Math.max(0, selected - 1);
    else if (e.key === 'PageDown') next = Math.min(rows.length - 1, selected + 15);
    else if (e.key === 'PageUp') next = Math.max(0, selected - 15);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = rows.length - 1;
    else if (e.key === 'Enter') {
      const r = rows[selected];
      if (r) onOpen(r);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    setSelected(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  return (
      <div className="vtable" role="grid" aria-label="Audit records" aria-rowcount={records.done ? rows.length + 1 : -1}>
        <div className="vrow vhead" role="row" aria-rowindex={1}>
          <span role="columnheader">Time</span>
          <span role="columnheader">Record</span>
          <span role="columnheader">What</span>
          <span role="columnheader">Client</span>
          <span role="columnheader">Decision</span>
          <span role="columnheader">Status</span>
          <span role="columnheader">Duration</span>
        </div>
        <div
          className="vbody"
          ref={scrollRef}
          tabIndex={0}
          role="rowgroup"
          aria-label="Records, newest first. Arrow keys move, Enter opens details."
          aria-activedescendant={rows[selected] ? `record-${rows[selected]!.seq}` : undefined}
          onKeyDown={onGridKey}
        >
          {!records.loading && records.done && rows.length === 0 ? (
            <div className="empty">
              <h2>No records{filtered ? ' match these filters' : ' yet'}</h2>
              <p>Calls through Warden are recorded here as they happen.</p>
            </div>
          ) : null}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const r = rows[item.index];
              return (
                <div
                  key={item.key}
                  id={r ? `record-${r.seq}` : undefined}
                  className="vrow"
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={item.index === selected}
                  data-seq={r?.seq}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
                  onClick={() => {
                    if (!r) return;
                    setSelected(item.index);
                    onOpen(r);
                  }}
                >
                  {r ? (
                    <Row r={r} />
                  ) : (
                    <span role="gridcell" className="muted">
                      Loading…
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
  );
}

export function ActivityScreen({ recordId }: { recordId?: string }) {
  const api = useApi();
  const [text, setText] = useState('');
  const [effect, setEffect] = useState<'' | 'allow' | 'deny'>('');
  const [type, setType] = useState<'' | 'decision' | 'outcome' | 'event'>('');
  const [server, setServer] = useState('');
  const [client, setClient] = useState('');
  const debouncedText = useDebounced(text.trim(), 250);
  const debouncedServer = useDebounced(server.trim(), 250);
  const debouncedClient = useDebounced(client.trim(), 250);
  const filters: RecordFilters = useMemo(() => {
    const f: RecordFilters = {};
    if (debouncedText) f.text = debouncedText;
    if (effect) f.effect = effect;
    if (type) f.type = type;
    if (debouncedServer) f.server = debouncedServer;
    if (debouncedClient) f.client = debouncedClient;
    return f;
  }, [debouncedText, effect, type, debouncedServer, debouncedClient]);
  const records = useRecords(filters);
  const rows = records.rows;
  const chart = useQuery((c) => c['audit.histogram']({ buckets: 48 }), [records.rows[0]?.seq ?? 0]);
  const openRecord = recordId ? rows.find((r) => String(r.seq) === recordId) : undefined;
  const open = useMemo(() => (r: AuditRecordView) => navigate('activity', String(r.seq)), []);

  const verify = useAction(async () => api.client['audit.verify']({}));
  const [verified, setVerified] = useState<VerifyView | undefined>(undefined);
  const [format, setFormat] = useState<'jsonl' | 'csv' | 'cef'>('jsonl');
  const exporting = useAction(async () => {
    const out = await api.client['audit.export']({ format });
    download(out.filename, out.content, format === 'csv' ? 'text/csv' : 'text/plain');
    return out;
  });

  return (
    <div className="activity">
      <div className="screen-head" style={{ marginBottom: 0 }}>
        <div>
          <h1>Activity</h1>
          <p className="muted">Every decision and outcome, as the tamper-evident audit log holds them.</p>
        </div>
        <div className="row">
          <button
            type="button"
            disabled={verify.busy}
            onClick={() =>
              void verify.run().then((v) => {
                if (v) setVerified(v);
              })
            }
          >
            {verify.busy ? 'Verifying…' : 'Verify the log'}
          </button>
          <select aria-label="Export format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
            <option value="cef">CEF (SIEM)</option>
          </select>
          <button type="button" disabled={exporting.busy} onClick={() => void exporting.run()}>
            Export
          </button>
        </div>
      </div>
      <ErrorNote error={verify.error ?? exporting.error ?? records.error} />
      {verified ? (
        <p className={verified.ok ? 'note' : 'error'} role="status">
          {verified.ok
            ? `The chain is intact: ${verified.records.toLocaleString()} records in ${verified.segments} segment${verified.segments === 1 ? '' : 's'}, checked in ${Math.round(verified.durationMs)} ms.`
            : `The chain is broken at ${verified.firstBroken?.segment ?? '?'} line ${verified.firstBroken?.line ?? '?'}: ${verified.firstBroken?.message ?? ''}`}
        </p>
      ) : null}
      <CallsChart data={chart.data} />
      <div className="filters" role="search" aria-label="Filter records">
        <input type="search" aria-label="Search records" placeholder="Search records" title="Searches metadata, not arguments or results. A hash or digest matches from its first digits." value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label="Decision" value={effect} onChange={(e) => setEffect(e.target.value as typeof effect)}>
          <option value="">Any decision</option>
          <option value="allow">Allowed or approved</option>
          <option value="deny">Denied or cancelled</option>
        </select>
        <select aria-label="Record type" value={type} onChange={(e) => setType(e.target.value as typeof type)}>
          <option value="">All records</option>
          <option value="decision">Decisions</option>
          <option value="outcome">Outcomes</option>
          <option value="event">Events</option>
        </select>
        <input type="text" aria-label="Server" placeholder="Server" value={server} onChange={(e) => setServer(e.target.value)} style={{ width: 130 }} />
        <input type="text" aria-label="Client" placeholder="Client" value={client} onChange={(e) => setClient(e.target.value)} style={{ width: 130 }} />
        <span className="muted" role="status" aria-live="polite" style={{ fontSize: 12 }}>
          {rows.length.toLocaleString()}
          {records.done ? '' : '+'} record{rows.length === 1 ? '' : 's'}
        </span>
      </div>
      <RecordTable records={records} filtered={Object.keys(filters).length > 0} onOpen={open} />
      {openRecord ? <RecordDrawer record={openRecord} onClose={() => navigate('activity')} /> : null}
    </div>
  );
}
