// Times given on the command line or to the query API: ISO 8601 (UTC unless it names an offset), epoch
// seconds (10 digits) or milliseconds, or an age relative to now (`90s`, `15m`, `24h`, `7d`, `2w`).
// A date alone is a whole day: its first moment as a start, its last as an end, so `--since 2026-12-01
// --until 2026-12-01` is that day. Pure.
import { AuditError } from './errors.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `edge: 'end'` (for an until) reads a date alone as the last millisecond of that day. */
export function parseTime(value: string | number, now: number, edge: 'start' | 'end' = 'start'): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = String(value).trim();
  const relative = /^(\d+)\s*([smhdw])$/i.exec(text);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!.toLowerCase()]!;
  // Ten digits are epoch seconds (as `date +%s` prints them; as milliseconds they would be 1970), more are milliseconds.
  if (/^\d{10}$/.test(text)) return Number(text) * 1000;
  if (/^\d{11,}$/.test(text)) return Number(text);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    // 2026-02-30 is no day (Date.parse would take it as March 2).
    if (m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate()) {
      // A time without an offset is UTC, as a date alone is and as the log's own times are.
      const utc = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
      const ms = Date.parse(utc);
      const dayOnly = text.length === 10;
      if (Number.isFinite(ms)) return edge === 'end' && dayOnly ? ms + 86_400_000 - 1 : ms;
    }
  }
  throw new AuditError('AUDIT_BAD_TIME', `"${text}" is not a time: use ISO 8601 (2026-11-25T10:00:00Z; UTC unless it names an offset), epoch seconds or milliseconds, or an age like 24h or 7d.`);
}

/** A since/until pair as an inclusive range in ms; refused when it is empty by construction (since after until). */
export function parseRange(range: { since?: string | number; until?: string | number }, now: number): { since: number; until: number } {
  const since = range.since !== undefined ? parseTime(range.since, now) : -Infinity;
  const until = range.until !== undefined ? parseTime(range.until, now, 'end') : Infinity;
  if (since > until) {
    throw new AuditError('AUDIT_BAD_TIME', `The range is empty: since (${new Date(since).toISOString()}) is after until (${new Date(until).toISOString()}). Swap them?`);
  }
  return { since, until };
}
