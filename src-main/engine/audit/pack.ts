// `warden audit pack --out DIR`: an evidence pack for a reviewer, written as a plain directory (no
// archive format is needed to open it):
//   README.md             what the pack holds and how to check it
//   manifest.json         sha256 of every file, the range and the chain positions covered
//   policy-snapshot.json  policy state from the engine (tiers, rules, consents, managed policy) and
//                         the data directory's policy/servers/settings files, secrets redacted
//   audit-slice.jsonl     the records of the range, byte for byte as in the log
//   verification.json     the verification of the whole log and of the slice's own chain
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ChainChecker } from './chain-check.js';
import { AuditError } from './errors.js';
import type { AuditReader } from './query.js';
import { redactSecrets } from './redact.js';
import { parseRange } from './time.js';
import { verifyAuditDir, type VerifyReport } from './verify.js';

export interface PackOptions {
  out: string;
  since?: string | number;
  until?: string | number;
  /** The policy state as the engine holds it (the guardian provides it). */
  policyState?: unknown;
  /** Files to snapshot when present: data directory files and the managed policy file. */
  policyFiles?: string[];
  now?: number;
}

export interface PackResult {
  out: string;
  records: number;
  files: string[];
  verification: VerifyReport;
  sliceIntact: boolean;
}

async function readJsonIfPresent(path: string): Promise<{ path: string; present: boolean; content?: unknown; error?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, present: false };
    return { path, present: true, error: (error as Error).message };
  }
  try {
    return { path, present: true, content: redactSecrets(JSON.parse(text)) };
  } catch (error) {
    return { path, present: true, error: `not valid JSON: ${(error as Error).message}` };
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export async function writeEvidencePack(reader: AuditReader, options: PackOptions): Promise<PackResult> {
  const now = options.now ?? Date.now();
  const span = parseRange(options, now);
  const since = options.since !== undefined ? new Date(span.since).toISOString() : undefined;
  const until = options.until !== undefined ? new Date(span.until).toISOString() : undefined;
  const kind = await stat(options.out).catch(() => undefined);
  if (kind && !kind.isDirectory()) throw new AuditError('AUDIT_OUT_EXISTS', `${options.out} is a file; an evidence pack is a folder. Choose a new folder for it.`);
  const existing = await readdir(options.out).catch(() => undefined);
  if (existing && existing.length > 0) {
    throw new AuditError('AUDIT_OUT_EXISTS', `${options.out} already exists and is not empty; choose a new folder for the evidence pack.`);
  }
  await mkdir(options.out, { recursive: true, mode: 0o700 });

  const verification = await verifyAuditDir(reader.dir);

  const lines: string[] = [];
  const checker = new ChainChecker();
  for await (const line of reader.lines({ since: options.since, until: options.until }, now)) {
    lines.push(line);
    checker.feed(line, { segment: 'audit-slice.jsonl', line: lines.length, offset: 0 });
  }
  const slice = lines.length ? `${lines.join('\n')}\n` : '';

  const snapshot = {
    takenAt: new Date(now).toISOString(),
    engine: options.policyState === undefined ? { provided: false } : { provided: true, state: redactSecrets(options.policyState) },
    files: await Promise.all((options.policyFiles ?? []).map((path) => readJsonIfPresent(path))),
  };
  const verificationDoc = {
    log: verification,
    slice: {
      records: lines.length,
      intact: !checker.broken,
      firstSeq: checker.firstSeq,
      lastSeq: checker.lastSeq || undefined,
      firstPrev: checker.firstPrev,
      lastHash: checker.lastHash || undefined,
      firstBroken: checker.broken,
    },
  };
  const files: Record<string, string> = {
    'policy-snapshot.json': `${JSON.stringify(snapshot, null, 2)}\n`,
    'audit-slice.jsonl': slice,
    'verification.json': `${JSON.stringify(verificationDoc, null, 2)}\n`,
  };
  const range = `${since ?? 'the first record'} to ${until ?? 'the last record'}`;
  files['README.md'] = readme({ range, records: lines.length, verification, sliceIntact: !checker.broken, firstSeq: checker.firstSeq, lastSeq: checker.lastSeq, dataDir: reader.dir });
  const manifest = {
    createdAt: new Date(now).toISOString(),
    source: reader.dir,
    range: { since, until },
    chain: { firstSeq: checker.firstSeq, lastSeq: checker.lastSeq || undefined, lastHash: checker.lastHash || undefined },
    files: Object.fromEntries(Object.entries(files).map(([name, text]) => [name, { sha256: sha256(text), bytes: Buffer.byteLength(text) }])),
  };
  files['manifest.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  for (const [name, text] of Object.entries(files)) await writeFile(join(options.out, name), text, { mode: 0o600 });
  return { out: options.out, records: lines.length, files: Object.keys(files), verification, sliceIntact: !checker.broken };
}

function readme(facts: { range: string; records: number; verification: VerifyReport; sliceIntact: boolean; firstSeq?: number; lastSeq: number; dataDir: string }): string {
  const v = facts.verification;
  const verdict = v.ok
    ? `INTACT: ${v.records} records in ${v.segments} segment(s) (records ${v.firstSeq ?? '-'}..${v.lastSeq ?? '-'}) check out against the hash chain and the head checkpoint.`
    : `BROKEN: ${v.firstBroken?.message ?? 'see verification.json'} (code ${v.firstBroken?.code ?? '?'}).`;
  return `# Warden evidence pack

Made by \`warden audit pack\` from the audit log in \`${basename(facts.dataDir)}\`, covering ${facts.range}.

## Verdict

- Whole log: ${verdict}
- This slice: ${facts.records} record(s)${facts.firstSeq !== undefined ? `, records ${facts.firstSeq}..${facts.lastSeq}` : ''}; its own chain is ${facts.sliceIntact ? 'unbroken' : 'BROKEN (see verification.json)'}.

## Files

- \`audit-slice.jsonl\`: one record per line, exactly as written in the log. Metadata only (who, which
  server and tool, decision, rule, consent, approver, timing, status, argument names and a sha256 digest
  of the arguments); argument and result values appear only for servers where payload capture was
  switched on, and then with secrets redacted.
- \`verification.json\`: the verification of the whole log (\`log\`) and of this slice (\`slice\`).
- \`policy-snapshot.json\`: the policy as the engine held it when the pack was made (tiers, rules,
  consents, managed policy; \`engine.provided\` says whether the engine supplied it) and the data
  directory's policy, servers and settings files. Secret values are redacted.
- \`manifest.json\`: sha256 and size of every other file.

## How to check it yourself

Each record carries \`seq\`, \`prev\` (the previous record's hash) and \`hash\`. \`hash\` is the sha256 of
the record's line as written, without its final \`,"hash":"..."\` member (that is: the line up to that
member, followed by \`}\`). A record is intact when its hash matches; the chain is intact when every
\`prev\` equals the hash of the record before it and \`seq\` rises by one. For example, in Node.js:

\`\`\`js
const { createHash } = require('node:crypto');
let prev;
for (const line of require('node:fs').readFileSync('audit-slice.jsonl', 'utf8').split('\\n').filter(Boolean)) {
  const body = line.slice(0, line.lastIndexOf(',"hash":"')) + '}';
  const r = JSON.parse(line);
  if (createHash('sha256').update(body).digest('hex') !== r.hash) throw new Error('edited: ' + r.seq);
  if (prev && r.prev !== prev) throw new Error('chain broken at ' + r.seq);
  prev = r.hash;
}
\`\`\`

A record's \`consentId\` and \`ruleId\` name the consent and the rule in \`policy-snapshot.json\` that
let the call through or refused it; \`callId\` joins a call's decision record to its outcome record.

Limits: a hash chain shows that records were changed, removed or reordered; it cannot stop someone who
can rewrite the whole log and its head checkpoint from forging a new chain. Compare \`manifest.json\`'s
last hash with a copy kept elsewhere (a SIEM receiving Warden's syslog stream holds every record hash).
`;
}
