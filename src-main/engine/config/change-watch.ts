// Whether a file may have changed since it was last read, from the OS's change notifications (fs.watch
// on its folder), so that the call path need not stat the file on every call. Until the watch runs, or
// once it fails, the answer is always "maybe": callers then stat as they would without it. A file that
// is a symbolic link is not watched at all: its folder hears nothing when the target changes.
import { lstatSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** The file's identity as last seen (size, mtime, inode): a different stamp means a different file. */
export function fileStamp(path: string): string {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st ? `${st.size}:${st.mtimeNs}:${st.ino}` : 'missing';
  } catch {
    return 'unstattable'; // e.g. a folder without search permission: reading it will say why
  }
}

export class ChangeWatch {
  #watcher: FSWatcher | undefined;
  #changed = true;

  constructor(readonly path: string) {}

  start(): void {
    if (this.#watcher) return;
    const name = basename(this.path);
    try {
      if (lstatSync(this.path, { throwIfNoEntry: false })?.isSymbolicLink()) return;
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== name && !file.startsWith(`${name}.`)) return;
        this.#changed = true;
        // Replaced by a link meanwhile: from now on, stat as without a watch.
        if (lstatSync(this.path, { throwIfNoEntry: false })?.isSymbolicLink()) this.stop();
      });
      this.#watcher.on('error', () => this.stop());
    } catch {
      this.#watcher = undefined;
    }
    this.#changed = true;
  }

  stop(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#changed = true;
  }

  /** True when the file may differ from the last read; the notice is used up by asking. */
  mayHaveChanged(): boolean {
    if (!this.#watcher) return true;
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }
}
