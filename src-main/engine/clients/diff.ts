// A unified diff for showing what protecting a client would change. Pure. The changes are known
// (one splice per rewritten entry), so only the lines around them are compared: a large file with a
// few changed entries stays cheap, and every hunk shows its own context.
import type { Splice } from './rewrite.js';

type Op = { op: ' ' | '-' | '+'; line: string };

/** Line-level LCS diff of two short line lists. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) return [...a.map((line) => ({ op: '-' as const, line })), ...b.map((line) => ({ op: '+' as const, line }))];
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i]! });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ op: '-', line: a[i++]! });
    } else {
      ops.push({ op: '+', line: b[j++]! });
    }
  }
  return ops;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Unified diff of `before` and `before` with `splices` applied (splices in file order, not overlapping). */
export function spliceDiff(before: string, splices: readonly Splice[], { context = 3, label = 'config' } = {}): string {
  const lines = before.split('\n');
  const starts: number[] = [];
  let at = 0;
  for (const line of lines) {
    starts.push(at);
    at += line.length + 1;
  }
  // Splices become blocks of whole original lines and the lines that replace them; splices that share
  // a line (a one-line file, two entries on one line) make one block, with all of them applied.
  const blocks: { from: number; to: number; ops: Op[] }[] = [];
  for (let k = 0; k < splices.length; ) {
    const from = lineOf(starts, splices[k]!.start);
    let to = lineOf(starts, splices[k]!.end);
    let last = k;
    while (last + 1 < splices.length && lineOf(starts, splices[last + 1]!.start) <= to) {
      last++;
      to = Math.max(to, lineOf(starts, splices[last]!.end));
    }
    let replaced = '';
    let at = starts[from]!;
    for (let i = k; i <= last; i++) {
      replaced += before.slice(at, splices[i]!.start) + splices[i]!.text;
      at = splices[i]!.end;
    }
    replaced += before.slice(at, starts[to]! + lines[to]!.length);
    const ops = diffLines(lines.slice(from, to + 1), replaced.split('\n'));
    if (ops.some((o) => o.op !== ' ')) blocks.push({ from, to, ops });
    k = last + 1;
  }
  if (blocks.length === 0) return '';

  const out = [`--- ${label} (now)`, `+++ ${label} (protected)`];
  let delta = 0; // new line number minus old line number, before the current hunk
  let b = 0;
  while (b < blocks.length) {
    // A hunk takes blocks whose context would touch.
    let end = b;
    while (end + 1 < blocks.length && blocks[end + 1]!.from - blocks[end]!.to - 1 <= 2 * context) end++;
    const ops: Op[] = [];
    const hunkFrom = Math.max(0, blocks[b]!.from - context);
    for (let l = hunkFrom; l < blocks[b]!.from; l++) ops.push({ op: ' ', line: lines[l]! });
    let hunkDelta = 0;
    for (let k = b; k <= end; k++) {
      const block = blocks[k]!;
      if (k > b) for (let l = blocks[k - 1]!.to + 1; l < block.from; l++) ops.push({ op: ' ', line: lines[l]! });
      ops.push(...block.ops);
      hunkDelta += block.ops.filter((o) => o.op === '+').length - block.ops.filter((o) => o.op === '-').length;
    }
    const last = blocks[end]!.to;
    for (let l = last + 1; l <= Math.min(lines.length - 1, last + context); l++) ops.push({ op: ' ', line: lines[l]! });
    const oldCount = ops.filter((o) => o.op !== '+').length;
    const newCount = ops.filter((o) => o.op !== '-').length;
    out.push(`@@ -${hunkFrom + 1},${oldCount} +${hunkFrom + 1 + delta},${newCount} @@`, ...ops.map((o) => `${o.op}${o.line.replace(/\r$/, '')}`));
    delta += hunkDelta;
    b = end + 1;
  }
  return out.join('\n') + '\n';
}
