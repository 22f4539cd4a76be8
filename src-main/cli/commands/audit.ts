// `warden audit verify | tail | export | pack`: read the audit log of the data directory, whether or
// not an engine is running (the engine writes; these commands only read, and tolerate its appends).
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { clientLabel } from '../../../shared/client-label.js';
import { AuditError, openAuditReader, type AuditRecord } from '../../engine/audit/index.js';
import { checkFormat } from '../../engine/audit/export.js';
import { parseRange } from '../../engine/audit/time.js';
import { errorMessage, WardenError } from '../../engine/errors.js';
import { dataDir, dataPaths } from '../../engine/paths.js';
import { EngineClient } from '../engineClient.js';
import { EXIT, printJson } from '../output.js';

function failAudit(error: unknown): never {
  const code = error instanceof AuditError || error instanceof WardenError ? error.code : ((error as NodeJS.ErrnoException)?.code ?? 'internal');
  process.stderr.write(`warden: ${errorMessage(error)} [${code}]\n`);
  const usage = code === 'AUDIT_BAD_OPTION' || code === 'AUDIT_BAD_TIME' || code === 'AUDIT_OUT_EXISTS' || code === 'bad_input';
  process.exit(usage ? EXIT.usage : EXIT.failure);
}

/**
 * One human line per record: time, seq, what happened, to what, by whom. Control characters (a name a
 * client claimed may hold ESC, CR, LF) are shown escaped: a record cannot forge or erase lines in a terminal.
 */
export function describeRecord(record: AuditRecord): string {
  return recordLine(record).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function recordLine(record: AuditRecord): string {
  const time = record.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  if (record.type === 'event') {
    const data = Object.entries(record.data)
      .filter(([, v]) => typeof v !== 'object' || v === null)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return `${time}  #${record.seq}  event    ${record.event}${data ? `  ${data}` : ''}`;
  }
  const who = clientLabel(record.client);
  const what = `${record.server}/${record.tool}`;
  if (record.type === 'decision') {
    const verdict = record.effect === 'allow' ? 'allow' : `deny${record.status === 'timeout' || record.status === 'cancelled' ? ` (${record.status})` : ''}`;
    return `${time}  #${record.seq}  decision ${verdict.padEnd(5)} ${what}  by ${who}  rule ${record.ruleId}${record.consentId ? `  consent ${record.consentId}` : ''}  call ${record.callId}`;
  }
  return `${time}  #${record.seq}  outcome  ${record.status.padEnd(5)} ${what}  by ${who}  ${record.durationMs} ms  call ${record.callId}`;
}

async function policyStateFromEngine(): Promise<unknown> {
  const engine = EngineClient.find(dataPaths(dataDir()));
  if (!engine) return undefined;
  try {
    // Policy methods are looked up by name so that this command does not depend on which API domains exist.
    const call = engine.call.bind(engine) as unknown as (method: string, input: unknown) => Promise<unknown>;
    const optional = (method: string) => call(method, {}).catch((error: unknown) => ({ unavailable: errorMessage(error) }));
    const [rules, consents, status] = await Promise.all([optional('rules.list'), optional('consents.list'), engine.call('engine.status', {})]);
    return { rules, consents, servers: status.servers.map((s) => ({ name: s.config.name, tier: s.config.tier, capturePayloads: s.config.capturePayloads })) };
  } catch (error) {
    return { unavailable: `The running engine did not answer (${errorMessage(error)}); the files below are the policy on disk.` };
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('check, read and export the tamper-evident audit log');

  audit
    .command('verify')
    .description('check the hash chain of the whole audit log; exit 0 when intact, 1 with the first broken record')
    .option('--json', 'machine-readable report')
    .action(async (opts: { json?: boolean }) => {
      try {
        const report = await openAuditReader(dataPaths(dataDir())).verify();
        if (opts.json) printJson(report);
        else if (report.ok) {
          process.stdout.write(
            report.records === 0
              ? `The audit log in ${report.dir} is empty (nothing to verify).\n`
              : `Audit log intact: ${report.records} records (${report.firstSeq}..${report.lastSeq}) in ${report.segments} segment(s), checked in ${report.durationMs} ms.\nLast hash: ${report.lastHash}\n`,
          );
          for (const note of report.notes) process.stdout.write(`Note: ${note}\n`);
        } else {
          const b = report.firstBroken!;
          process.stderr.write(`warden: audit log BROKEN at ${b.segment}${b.line ? `:${b.line}` : ''}${b.seq !== undefined ? ` (record ${b.seq})` : ''}: ${b.message} [${b.code}]\n`);
          process.stderr.write(`Records 1..${report.lastSeq ?? 0} before it check out.\n`);
        }
        process.exit(report.ok ? EXIT.ok : EXIT.failure);
      } catch (error) {
        failAudit(error);
      }
    });

  audit
    .command('tail')
    .description('show the latest records (oldest of them first)')
    .option('-n, --lines <n>', 'how many records', '20')
    .option('-f, --follow', 'keep printing new records as they are written')
    .option('--json', 'print records as JSON lines, exactly as stored')
    .action(async (opts: { lines: string; follow?: boolean; json?: boolean }) => {
      try {
        const n = Number(opts.lines);
        if (!Number.isInteger(n) || n < 0 || n > 1000) throw new AuditError('AUDIT_BAD_OPTION', `-n takes a whole number from 0 to 1000, not "${opts.lines}".`);
        const reader = openAuditReader(dataPaths(dataDir()));
        const print = (record: AuditRecord) => process.stdout.write(`${opts.json ? JSON.stringify(record) : describeRecord(record)}\n`);
        const latest = n > 0 ? (await reader.query({ limit: n })).records.reverse() : [];
        latest.forEach(print);
        if (!opts.follow) return;
        let last = latest.length ? latest[latest.length - 1]!.seq : ((await reader.query({ limit: 1 })).records[0]?.seq ?? 0);
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        while (!stop.signal.aborted) {
          const page = await reader.query({ after: last, order: 'oldest', limit: 1000 });
          page.records.forEach(print);
          if (page.records.length) last = page.records[page.records.length - 1]!.seq;
          if (!page.nextCursor) await new Promise((resolve) => setTimeout(resolve, 300));
        }
      } catch (error) {
        failAudit(error);
      }
    });

  audit
    .command('export')
    .description('write records as jsonl, csv or cef')
    .requiredOption('--format <format>', 'jsonl | csv | cef')
    .option('--since <time>', 'from this time (ISO 8601 in UTC unless it names an offset, epoch s or ms, or an age like 24h, 7d)')
    .option('--until <time>', 'up to this time (a date alone: to the end of that day, UTC)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--force', 'overwrite --out if it exists')
    .action(async (opts: { format: string; since?: string; until?: string; out?: string; force?: boolean }) => {
      try {
        const format = checkFormat(opts.format);
        if (opts.out && existsSync(opts.out) && !opts.force) throw new AuditError('AUDIT_OUT_EXISTS', `${opts.out} exists; pass --force to overwrite it.`);
        // Bad times are refused before any file is touched.
        parseRange(opts, Date.now());
        const reader = openAuditReader(dataPaths(dataDir()));
        // Written beside the target and renamed into place when complete: a failed export leaves the
        // file that was there (with --force) as it was, and no half-written one.
        const temp = opts.out ? `${opts.out}.${process.pid}.partial` : undefined;
        const out = temp ? await openOut(temp, opts.out!) : process.stdout;
        try {
          const { records } = await reader.export({ format, since: opts.since, until: opts.until }, out);
          if (temp) {
            out.end();
            await once(out, 'finish');
            await rename(temp, opts.out!);
            process.stderr.write(`Exported ${records} record(s) as ${format} to ${opts.out}.\n`);
          }
        } finally {
          if (temp) await rm(temp, { force: true });
        }
      } catch (error) {
        failAudit(error);
      }
    });

  audit
    .command('pack')
    .description('write an evidence pack (a folder): policy snapshot, audit slice, verification report, README')
    .requiredOption('--out <dir>', 'a new (or empty) folder for the pack')
    .option('--since <time>', 'records from this time (ISO 8601 in UTC unless it names an offset, epoch s or ms, or an age like 30d)')
    .option('--until <time>', 'records up to this time (a date alone: to the end of that day, UTC)')
    .action(async (opts: { out: string; since?: string; until?: string }) => {
      try {
        const paths = dataPaths(dataDir());
        const result = await openAuditReader(paths).pack({
          out: opts.out,
          since: opts.since,
          until: opts.until,
          policyState: await policyStateFromEngine(),
          policyFiles: [paths.policy, paths.servers, paths.settings, ...(process.env.WARDEN_MANAGED_POLICY ? [process.env.WARDEN_MANAGED_POLICY] : [])],
        });
        process.stdout.write(
          `Evidence pack written to ${result.out}: ${result.records} record(s); log ${result.verification.ok ? 'intact' : `BROKEN (${result.verification.firstBroken?.code})`}.\nFiles: ${result.files.join(', ')}\n`,
        );
        process.exit(result.verification.ok ? EXIT.ok : EXIT.failure);
      } catch (error) {
        failAudit(error);
      }
    });
}

/** The export's file, open (a folder that does not exist is an error here, not an unhandled 'error' event). */
async function openOut(path: string, shown = path): Promise<WriteStream> {
  const stream = createWriteStream(path, { mode: 0o600 });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new AuditError('AUDIT_OUT_UNWRITABLE', `${shown} cannot be written: ${(error as Error).message.replace(path, shown)}.`);
  }
  return stream;
}
