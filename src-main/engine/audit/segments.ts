// The files of the audit directory: segments (`audit-<first seq>-<UTC day>.jsonl`), their index
// sidecars (`<segment>.idx`, a cache) and the head checkpoint (`head.json`: the last durable record).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const HEAD_FILE = 'head.json';
const SEGMENT_NAME = /^audit-(\d{12})-(\d{8})\.jsonl$/;

export interface SegmentFile {
  name: string;
  path: string;
  /** The seq its name says its first record has. */
  firstSeq: number;
  /** UTC day it was opened, `YYYYMMDD`. */
  day: string;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

export function segmentName(firstSeq: number, day: string): string {
  return `audit-${String(firstSeq).padStart(12, '0')}-${day}.jsonl`;
}

export function indexPathOf(segmentPath: string): string {
  return `${segmentPath}.idx`;
}

/** Segments in chain order (by the first seq in their names). Missing directory: none. */
export async function listSegments(auditDir: string): Promise<SegmentFile[]> {
  let names: string[];
  try {
    names = await readdir(auditDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: SegmentFile[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (match) out.push({ name, path: join(auditDir, name), firstSeq: Number(match[1]), day: match[2]! });
  }
  return out.sort((a, b) => a.firstSeq - b.firstSeq || a.name.localeCompare(b.name));
}

export interface HeadCheckpoint {
  seq: number;
  hash: string;
  segment: string;
  time: string;
}

export function serializeHead(head: HeadCheckpoint): string {
  return `${JSON.stringify(head)}\n`;
}

/** `undefined` when there is no head file; throws `AuditHeadUnreadable` when it exists but is not one. */
export async function readHead(auditDir: string): Promise<HeadCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(join(auditDir, HEAD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const head = JSON.parse(text) as HeadCheckpoint;
    if (typeof head.seq === 'number' && typeof head.hash === 'string' && typeof head.segment === 'string') return head;
  } catch {
    // fall through
  }
  throw Object.assign(new Error(`The audit head checkpoint ${join(auditDir, HEAD_FILE)} is not valid JSON.`), { code: 'AUDIT_HEAD_UNREADABLE' });
}
