// The engine's own structured log (JSON lines in logs/engine.log, rotated by size) for diagnosing
// problems. It records events and metadata, never tool arguments or results. The servers' own stderr,
// which may hold whatever they were given, goes to a log of its own (logs/servers.log), same format.
import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createFileLogger(dir: string, { name = 'engine.log', maxBytes = 5 * 1024 * 1024, keep = 3, echo = false } = {}): Logger {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  // One descriptor kept open: opening the file for every line costs more than the line itself.
  let fd = -1;
  const open = () => {
    fd = openSync(file, 'a', 0o600);
  };
  const rotate = () => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch {
        /* no such generation yet */
      }
    }
    try {
      renameSync(file, `${file}.1`);
    } catch {
      /* nothing to rotate */
    }
    size = 0;
  };
  const log = (level: LogLevel, event: string, fields: Record<string, unknown> = {}) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }) + '\n';
    if (size + line.length > maxBytes) rotate();
    try {
      if (fd < 0) open();
      writeSync(fd, line);
      size += Buffer.byteLength(line);
    } catch {
      /* the diagnostic log must never take the engine down */
    }
    if (echo && level !== 'debug') process.stderr.write(`[warden] ${level} ${event} ${JSON.stringify(fields)}\n`);
  };
  return {
    log,
    info: (e, f) => log('info', e, f),
    warn: (e, f) => log('warn', e, f),
    error: (e, f) => log('error', e, f),
  };
}
