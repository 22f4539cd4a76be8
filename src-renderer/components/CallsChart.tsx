// Calls over time by effect: stacked bars, drawn by hand in SVG (no chart library).
import type { ActivityHistogram } from '../../shared/api/audit.js';

const SERIES = [
  { key: 'allowed', label: 'Allowed by policy', className: 'swatch-allow' },
  { key: 'approved', label: 'Approved by you', className: 'swatch-ask' },
  { key: 'denied', label: 'Denied', className: 'swatch-deny' },
  { key: 'cancelled', label: 'Cancelled by the client', className: 'swatch-cancel' },
] as const;

const callsIn = (b: ActivityHistogram['buckets'][number]) => b.allowed + b.approved + b.denied + b.cancelled;

function timeLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  return spanMs > 36 * 3_600_000 ? d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function CallsChart({ data }: { data: ActivityHistogram | undefined }) {
  const W = 800;
  const H = 120;
  const PAD_L = 34;
  const PAD_B = 18;
  const buckets = data?.buckets ?? [];
  const max = Math.max(1, ...buckets.map(callsIn));
  const plotW = W - PAD_L;
  const plotH = H - PAD_B - 6;
  const bw = buckets.length ? plotW / buckets.length : plotW;
  const start = data ? Date.parse(data.start) : 0;
  const span = data ? data.bucketMs * buckets.length : 0;
  const total = buckets.reduce((n, b) => n + callsIn(b), 0);
  const summary = data
    ? `${total} calls: ${buckets.reduce((n, b) => n + b.allowed, 0)} allowed by policy, ${buckets.reduce((n, b) => n + b.approved, 0)} approved by you, ${buckets.reduce((n, b) => n + b.denied, 0)} denied, ${buckets.reduce((n, b) => n + b.cancelled, 0)} cancelled by the client`
    : 'Loading';
  return (
    <figure className="chart" style={{ margin: 0 }}>
      <div className="row">
        <strong>Calls over time</strong>
        <span className="spacer" />
        <div className="legend" aria-hidden="true">
          {SERIES.map((s) => (
            <span key={s.key}>
              <i className={s.className} />
              {s.label}
            </span>
          ))}
        </div>
      </div>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line x1={PAD_L} x2={W} y1={plotH + 6} y2={plotH + 6} stroke="currentColor" strokeOpacity={0.2} />
        <text x={PAD_L - 6} y={12} textAnchor="end" fontSize={10} fill="currentColor" opacity={0.6}>
          {max}
        </text>
        <text x={PAD_L - 6} y={plotH + 6} textAnchor="end" fontSize={10} fill="currentColor" opacity={0.6}>
          0
        </text>
        {buckets.map((b, i) => {
          let y = plotH + 6;
          return (
            <g key={i}>
              {SERIES.map((s) => {
                const v = b[s.key];
                if (!v) return null;
                const h = (v / max) * plotH;
                y -= h;
                return <rect key={s.key} className={s.className} x={PAD_L + i * bw + bw * 0.12} width={Math.max(1, bw * 0.76)} y={y} height={h} />;
              })}
            </g>
          );
        })}
        {data && span ? (
          <>
            <text x={PAD_L} y={H - 2} fontSize={10} fill="currentColor" opacity={0.6}>
              {timeLabel(start, span)}
            </text>
            <text x={W} y={H - 2} textAnchor="end" fontSize={10} fill="currentColor" opacity={0.6}>
              {timeLabel(start + span, span)}
            </text>
          </>
        ) : null}
      </svg>
      {data?.capped ? <figcaption className="muted" style={{ fontSize: 12 }}>The newest {data.counted.toLocaleString()} calls.</figcaption> : null}
    </figure>
  );
}
