import type { Io } from '../io.js';

/**
 * A one-line progress indicator on a terminal: rewritten in place with `\r`, at most every
 * `intervalMs`, and erased when done. On anything but a TTY it stays silent, so logs and
 * redirected stderr only ever see real messages.
 */
export class Progress {
  readonly #stream: Io['stderr'];
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #last = -Infinity;
  #shown = false;

  constructor(stream: Io['stderr'], intervalMs = 100) {
    this.#stream = stream;
    this.#enabled = stream.isTTY === true;
    this.#intervalMs = intervalMs;
  }

  /** Shows `text` unless the previous update was less than the interval ago (or `force`). */
  update(text: string, force = false): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (!force && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#stream.write(`\r\u001b[K${text}`);
    this.#shown = true;
  }

  /** Erases the line. */
  clear(): void {
    if (this.#shown) this.#stream.write('\r\u001b[K');
    this.#shown = false;
  }
}
