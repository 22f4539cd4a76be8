// A tool call's cancellation, with the AbortController made only when something listens: most calls
// are decided at once and never need one, and an AbortSignal costs several µs to create on the call path.
export class LazyAbort {
  #controller?: AbortController;
  #aborted = false;

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#aborted && !this.#controller.signal.aborted) this.#controller.abort();
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(): void {
    this.#aborted = true;
    this.#controller?.abort();
  }
}
