// Export formats for audit records: CSV (RFC 4180), CEF (ArcSight Common Event Format) and the
// RFC 5424 syslog frame that carries a CEF payload to a SIEM. Metadata only: captured payloads are
// never put into these formats (JSONL export carries records whole, hashes included). Pure.
import type { AuditRecord } from './record.js';

export const PRODUCT_VERSION = '0.1.0';

export const CSV_COLUMNS = [
  'seq', 'time', 'type', 'event', 'client_id', 'client_name', 'client_version', 'server', 'tool', 'call_id',
  'session_id', 'effect', 'rule_id', 'reasons', 'risk', 'consent_id', 'approver', 'status', 'duration_ms',
  'arg_names', 'arg_digest', 'data', 'prev', 'hash',
] as const;

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection); spreadsheets
  // skip leading blanks first and read the full-width forms alike.
  if (typeof value === 'string' && /^[\t\r]|^[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',');
}

export function csvRow(record: AuditRecord): string {
  const call = record.type === 'event' ? undefined : record;
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    seq: record.seq,
    time: record.time,
    type: record.type,
    event: record.type === 'event' ? record.event : undefined,
    client_id: call?.client.id,
    client_name: call?.client.name,
    client_version: call?.client.version,
    server: call?.server,
    tool: call?.tool,
    call_id: call?.callId,
    session_id: call?.sessionId,
    effect: call?.effect,
    rule_id: call?.ruleId,
    reasons: record.type === 'decision' ? record.reasons.join(' | ') : undefined,
    risk: record.type === 'decision' ? record.risk : undefined,
    consent_id: call?.consentId,
    approver: call?.approver,
    status: call?.status,
    duration_ms: record.type === 'outcome' ? record.durationMs : undefined,
    arg_names: record.type === 'decision' ? record.argNames.join(';') : undefined,
    arg_digest: call?.argDigest,
    data: record.type === 'event' ? record.data : undefined,
    prev: record.prev,
    hash: record.hash,
  };
  return CSV_COLUMNS.map((column) => csvCell(cells[column])).join(',');
}

/** Any field as text, whatever a record holds (one written before a check existed may hold an object). */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

function cefHeaderField(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function cefValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** CEF severity 0..10. */
export function cefSeverity(record: AuditRecord): number {
  if (record.type === 'event') {
    return /^audit\.(repaired|truncation-detected|head-missing)$/.test(record.event) ? 8 : 2;
  }
  // A call the client cancelled was neither refused nor failed: the client stopped wanting it.
  if (record.status === 'cancelled') return 3;
  if (record.effect === 'deny' || record.status === 'denied' || record.status === 'timeout') return 6;
  if (record.status === 'error') return 5;
  return 3;
}

function cefName(record: AuditRecord): string {
  if (record.type === 'event') return record.event;
  if (record.type === 'decision') {
    if (record.effect === 'allow') return 'Tool call allowed';
    if (record.status === 'cancelled') return 'Tool call cancelled by the client while it waited for approval';
    return `Tool call denied${record.status === 'timeout' ? ' (approval timed out)' : ''}`;
  }
  return `Tool call finished: ${record.status}`;
}

export function cefLine(record: AuditRecord): string {
  const signature = record.type === 'event' ? record.event : record.type === 'decision' ? 'call.decided' : 'call.finished';
  const ext: Array<[string, string | number | undefined]> = [['rt', Date.parse(record.time)], ['cn1Label', 'seq'], ['cn1', record.seq]];
  if (record.type === 'event') {
    ext.push(['msg', JSON.stringify(record.data)]);
  } else {
    ext.push(
      ['suid', record.client.id],
      ['suser', record.client.name],
      ['requestClientApplication', record.client.name ? `${asText(record.client.name)}${record.client.version ? `/${asText(record.client.version)}` : ''}` : undefined],
      ['cs1Label', 'server'], ['cs1', record.server],
      ['cs2Label', 'tool'], ['cs2', record.tool],
      ['act', record.effect],
      ['outcome', record.status],
      ['cs3Label', 'ruleId'], ['cs3', record.ruleId],
      ['cs4Label', 'consentId'], ['cs4', record.consentId],
      ['cs5Label', 'callId'], ['cs5', record.callId],
      ['flexString1Label', 'argDigest'], ['flexString1', record.argDigest],
      ['flexString2Label', 'approver'], ['flexString2', record.approver],
    );
    if (record.type === 'decision') ext.push(['msg', record.reasons.join(' | ')]);
    if (record.type === 'outcome') ext.push(['cn2Label', 'durationMs'], ['cn2', record.durationMs]);
  }
  ext.push(['cs6Label', 'recordHash'], ['cs6', record.hash]);
  const extension = ext
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${cefValue(asText(value))}`)
    .join(' ');
  return ['CEF:0', 'Warden', 'Warden', PRODUCT_VERSION, cefHeaderField(signature), cefHeaderField(cefName(record)), String(cefSeverity(record)), extension].join('|');
}

/** RFC 5424 severity (0 emergency .. 7 debug) for a record. */
export function syslogSeverity(record: AuditRecord): number {
  const cef = cefSeverity(record);
  if (cef >= 8) return 2;
  if (cef >= 6) return 4;
  if (cef >= 5) return 5;
  return 6;
}

export interface SyslogFrameOptions {
  /** Facility 0..23; default 13 (log audit). */
  facility?: number;
  hostname: string;
  appName?: string;
  procId?: string;
}

function headerToken(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '');
  return clean ? clean.slice(0, max) : '-';
}

function sdValue(text: string): string {
  return text.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** One RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] CEF:...`. */
export function syslogMessage(record: AuditRecord, options: SyslogFrameOptions): string {
  const facility = options.facility ?? 13;
  const pri = facility * 8 + syslogSeverity(record);
  const msgId = record.type === 'event' ? 'event' : record.type === 'decision' ? 'decision' : 'outcome';
  const sd = `[warden@32473 seq="${record.seq}" hash="${sdValue(record.hash)}"]`;
  return `<${pri}>1 ${record.time} ${headerToken(options.hostname, 255)} ${headerToken(options.appName ?? 'warden', 48)} ${headerToken(options.procId ?? String(process.pid), 128)} ${msgId} ${sd} ${cefLine(record)}`;
}
