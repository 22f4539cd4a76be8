// `warden audit export`: writes the records of a time range as JSONL (records whole, hashes
// included, so a slice can be checked on its own), CSV or CEF, with backpressure.
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { AuditRecord } from './record.js';
import { cefLine, csvHeader, csvRow } from './formats.js';
import type { AuditReader } from './query.js';
import { AuditError } from './errors.js';

export const EXPORT_FORMATS = ['jsonl', 'csv', 'cef'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  since?: string | number;
  until?: string | number;
}

export function checkFormat(format: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(format)) return format as ExportFormat;
  throw new AuditError('AUDIT_BAD_OPTION', `Unknown export format "${format}": use jsonl, csv or cef.`);
}

export function formatLine(format: ExportFormat, line: string): string {
  if (format === 'jsonl') return line;
  const record = JSON.parse(line) as AuditRecord;
  return format === 'csv' ? csvRow(record) : cefLine(record);
}

/** Streams the records into `out` (not ended). Returns how many records were written. */
export async function exportRecords(reader: AuditReader, options: ExportOptions, out: Writable): Promise<{ records: number }> {
  const format = checkFormat(options.format);
  let chunk = format === 'csv' ? `${csvHeader()}\n` : '';
  let records = 0;
  const flush = async () => {
    if (!chunk) return;
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await once(out, 'drain');
  };
  for await (const line of reader.lines({ since: options.since, until: options.until })) {
    chunk += `${formatLine(format, line)}\n`;
    records += 1;
    if (chunk.length > 256 * 1024) await flush();
  }
  await flush();
  return { records };
}
