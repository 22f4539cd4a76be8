// Time left before an approval is denied on its own, and before the client likely gives up.
// While the person reads or edits the card (`paused`), the shown time stands still; the engine is told
// through the card's hold so the call really waits.
import { useEffect, useRef, useState } from 'react';

/** MCP clients built on the official SDK give up on a request after 60 s unless progress resets it. */
export const TYPICAL_CLIENT_TIMEOUT_MS = 60_000;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function formatSeconds(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
}

export function Countdown({ createdAt, expiresAt, paused }: { createdAt: string; expiresAt: string; paused: boolean }) {
  const now = useNow(!paused);
  const start = Date.parse(createdAt);
  const end = Date.parse(expiresAt);
  // While paused the engine moves the deadline out; the card keeps showing the time that was left.
  const frozen = useRef<number | undefined>(undefined);
  if (paused && frozen.current === undefined) frozen.current = end - now;
  if (!paused) frozen.current = undefined;
  const left = frozen.current ?? end - now;
  const total = Math.max(1, end - start);
  const clientLeft = start + TYPICAL_CLIENT_TIMEOUT_MS - now;
  return (
    <div className={`countdown${paused ? ' paused' : ''}`} role="timer" aria-live="off" aria-label={`Denied automatically in ${formatSeconds(left)}${paused ? ', paused while you read' : ''}`}>
      <strong>{formatSeconds(left)}</strong>
      {paused ? 'paused while you read' : 'until denied'}
      <div className="bar" aria-hidden="true">
        <span style={{ width: `${Math.max(0, Math.min(100, (left / total) * 100))}%` }} />
      </div>
      <div title="MCP clients usually stop waiting after 60 s unless Warden's progress notifications keep the request alive.">
        client: {clientLeft > 0 ? `~${formatSeconds(clientLeft)} left` : 'may have given up'}
      </div>
    </div>
  );
}
