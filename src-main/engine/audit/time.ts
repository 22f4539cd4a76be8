// Times given on the command line or to the query API: ISO 8601, epoch milliseconds, or an age
// relative to now (`90s`, `15m`, `24h`, `7d`, `2w`). Pure.
import { AuditError } from './errors.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseTime(value: string | number, now: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = String(value).trim();
  const relative = /^(\d+)\s*([smhdw])$/i.exec(text);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!.toLowerCase()]!;
  if (/^\d{10,}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new AuditError('AUDIT_BAD_TIME', `"${text}" is not a time: use ISO 8601 (2026-11-25T10:00:00Z), epoch milliseconds, or an age like 24h or 7d.`);
}
