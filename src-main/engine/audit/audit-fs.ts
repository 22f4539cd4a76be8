// The file operations the chain writer needs, behind one seam so that tests can make a write fail the
// way a full disk or a revoked permission does (ENOSPC, EACCES) without needing a full disk.
// Appends are synchronous: a small write into the page cache takes microseconds, while a round trip
// through libuv's thread pool costs more than that in latency on every call held for its record.
import { ftruncateSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface AppendHandle {
  /** Writes all of `data` at the end of the file (loops over short writes). Throws on failure. */
  write(data: Buffer): void;
  /** Makes everything written so far durable (fdatasync). */
  sync(): Promise<void>;
  truncate(length: number): void;
  close(): Promise<void>;
}

export interface AuditFs {
  /** Opens (creating it with mode 0600 if needed) a file for appending. */
  openAppend(path: string): Promise<AppendHandle>;
  /** Makes a directory entry durable (a new segment's name). Best effort where unsupported. */
  syncDir(path: string): Promise<void>;
}

export const nodeAuditFs: AuditFs = {
  async openAppend(path) {
    const handle = await open(path, 'a', 0o600);
    return {
      write(data) {
        let done = 0;
        while (done < data.length) {
          const written = writeSync(handle.fd, data, done, data.length - done);
          if (written <= 0) throw Object.assign(new Error(`No bytes could be written to ${path}.`), { code: 'EIO' });
          done += written;
        }
      },
      sync: () => handle.datasync(),
      truncate: (length) => ftruncateSync(handle.fd, length),
      close: () => handle.close(),
    };
  },
  async syncDir(path) {
    if (process.platform === 'win32') return;
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
