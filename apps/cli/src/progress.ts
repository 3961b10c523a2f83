/**
 * A one-line progress bar on stderr: percent, rate and ETA. On a terminal it redraws in
 * place; otherwise it prints a line at most every few seconds (logs stay readable).
 *
 * @example
 * ```ts
 * const bar = new ProgressBar('sampling', 1e8, 'samples');
 * bar.update(5e7, 2e6); // done, rate per second
 * bar.finish();
 * ```
 */
export class ProgressBar {
  readonly #label: string;
  readonly #total: number;
  readonly #unit: string;
  readonly #tty: boolean;
  readonly #write: (s: string) => void;
  #last = 0;

  /** @param label what is running; @param total units in the job; @param unit their name. */
  constructor(label: string, total: number, unit: string, write: (s: string) => void = (s) => process.stderr.write(s), tty = Boolean(process.stderr.isTTY)) {
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
    this.#write = write;
    this.#tty = tty;
  }

  /** Reports `done` units at `rate` units per second. */
  update(done: number, rate: number): void {
    const now = performance.now();
    if (!this.#tty && now - this.#last < 2000 && done < this.#total) return;
    this.#last = now;
    const frac = this.#total === 0 ? 1 : done / this.#total;
    const width = 30;
    const filled = Math.round(frac * width);
    const eta = rate > 0 ? (this.#total - done) / rate : Number.POSITIVE_INFINITY;
    const line = `${this.#label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}%  ${formatCount(done)}/${formatCount(this.#total)} ${this.#unit}  ${formatCount(rate)}/s  ETA ${formatSeconds(eta)}`;
    this.#write(this.#tty ? `\r${line}` : `${line}\n`);
  }

  /** Ends the bar (a newline on a terminal). */
  finish(): void {
    if (this.#tty) this.#write('\n');
  }
}

/** 1234567 → `1.23M`. */
export function formatCount(v: number): string {
  if (!Number.isFinite(v)) return '?';
  const units: Array<[number, string]> = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [s, u] of units) if (Math.abs(v) >= s) return `${(v / s).toFixed(2)}${u}`;
  return String(Math.round(v));
}

/** Seconds → `1h02m`, `3m20s`, `12s`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.max(0, Math.round(s));
  if (t >= 3600) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${t}s`;
}
