// How the CLI ends: a message on stderr with its stable code, and an exit status that scripts can test.
import { WardenError, errorMessage } from '../engine/errors.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, engineRunning: 3, notRunning: 4 } as const;

export function fail(error: unknown): never {
  const code = error instanceof WardenError ? error.code : 'internal';
  process.stderr.write(`warden: ${errorMessage(error)} [${code}]\n`);
  process.exit(code === 'engine_running' ? EXIT.engineRunning : code === 'engine_not_running' ? EXIT.notRunning : code === 'bad_input' ? EXIT.usage : EXIT.failure);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Plain columns for terminal tables. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
