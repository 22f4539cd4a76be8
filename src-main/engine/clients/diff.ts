// A unified diff of two texts, by lines, for showing what protecting a client would change. Pure.
// The common head and tail are cut first, so a large file with a few changed entries stays cheap.

export function unifiedDiff(before: string, after: string, { context = 3, label = 'config' } = {}): string {
  if (before === after) return '';
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);

  // Lines of the middle as ' ', '-' or '+' operations (LCS; falls back to delete-all/add-all when huge).
  const ops: { op: ' ' | '-' | '+'; line: string }[] = [];
  if (midA.length * midB.length > 4_000_000) {
    ops.push(...midA.map((line) => ({ op: '-' as const, line })), ...midB.map((line) => ({ op: '+' as const, line })));
  } else {
    const n = midA.length;
    const m = midB.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ op: ' ', line: midA[i]! });
        i++;
        j++;
      } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
        ops.push({ op: '-', line: midA[i++]! });
      } else {
        ops.push({ op: '+', line: midB[j++]! });
      }
    }
  }

  const before0 = a.slice(Math.max(0, head - context), head).map((line) => ({ op: ' ' as const, line }));
  const after0 = a.slice(a.length - tail, a.length - tail + context).map((line) => ({ op: ' ' as const, line }));
  const all = [...before0, ...ops, ...after0];
  const startA = head - before0.length + 1;
  const startB = startA;
  const countA = all.filter((o) => o.op !== '+').length;
  const countB = all.filter((o) => o.op !== '-').length;
  return [`--- ${label} (now)`, `+++ ${label} (protected)`, `@@ -${startA},${countA} +${startB},${countB} @@`, ...all.map((o) => `${o.op}${o.line}`)].join('\n') + '\n';
}
