// The tail of a server's stderr, kept in memory for the UI and `warden status`.
export class StderrTail {
  readonly #lines: string[] = [];
  #partial = '';

  constructor(private readonly max = 200) {}

  push(chunk: string): string[] {
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    const complete = parts.map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
    for (const line of complete) {
      this.#lines.push(line.length > 2000 ? line.slice(0, 2000) + '…' : line);
      if (this.#lines.length > this.max) this.#lines.shift();
    }
    return complete;
  }

  lines(): string[] {
    return this.#partial ? [...this.#lines, this.#partial] : [...this.#lines];
  }
}
