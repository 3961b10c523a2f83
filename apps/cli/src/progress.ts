/**
 * A one-line progress bar: percent, count, rate and ETA. On a terminal (`tty`) it is
 * redrawn in place — a carriage return, the line, then "clear to the end of the line"
 * (`\x1b[K`, so a shorter line leaves nothing of a longer one behind) — at most ten times
 * a second, and {@link ProgressBar.finish} ends its line (or {@link ProgressBar.clear}
 * removes it), so what is printed next starts on a clean line. Otherwise (a log file, a
 * pipe) it prints a plain line at most every two seconds and one when the job is done.
 *
 * @example
 * ```ts
 * import { ProgressBar } from '@eddy/cli';
 * const bar = new ProgressBar('sampling', 1e8, 'samples');
 * bar.update(5e7, 2e6); // done, rate per second
 * bar.finish();
 * ```
 */
export class ProgressBar {
  /** What the constructor was given. */
  readonly #job: Readonly<{ label: string; total: number; unit: string; write: (s: string) => void; tty: boolean; columns: number | undefined }>;
  #last: number;
  /** Whether a redrawn line is on the terminal now (not yet ended or cleared). */
  #drawn = false;
  /** Whether the line for the finished job was printed (non-terminal output). */
  #printedDone = false;

  /**
   * @param label what is running; @param total units in the job; @param unit their name;
   * @param write where lines go (default stderr); @param tty whether that is a terminal;
   * @param columns the terminal's width, when known (a redrawn line is cut to fit it).
   */
  constructor(
    label: string,
    total: number,
    unit: string,
    write: (s: string) => void = (s) => process.stderr.write(s),
    tty = Boolean(process.stderr.isTTY),
    columns?: number,
  ) {
    this.#job = { label, total, unit, write, tty, columns };
    // A terminal shows the bar at once; a log gets its first line after two seconds.
    this.#last = tty ? Number.NEGATIVE_INFINITY : performance.now();
  }

  /** Reports `done` units at `rate` units per second. */
  update(done: number, rate: number): void {
    const now = performance.now();
    const complete = done >= this.#job.total;
    if (this.#job.tty) {
      if (!complete && now - this.#last < 100) return;
    } else {
      if (complete ? this.#printedDone : now - this.#last < 2000) return;
      if (complete) this.#printedDone = true;
    }
    this.#last = now;
    const frac = this.#job.total === 0 ? 1 : Math.min(1, done / this.#job.total);
    const width = 30;
    const filled = Math.round(frac * width);
    const eta = rate > 0 ? (this.#job.total - done) / rate : Number.POSITIVE_INFINITY;
    let line = `${this.#job.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}%  ${formatCount(done)}/${formatCount(this.#job.total)} ${this.#job.unit}  ${formatCount(rate)}/s  ETA ${formatSeconds(eta)}`;
    if (this.#job.tty) {
      // A line wider than the terminal wraps, and \r would then redraw only its last part.
      if (this.#job.columns !== undefined && this.#job.columns > 1 && line.length >= this.#job.columns) line = line.slice(0, this.#job.columns - 1);
      this.#job.write(`\r${line}\x1b[K`);
      this.#drawn = true;
    } else this.#job.write(`${line}\n`);
  }

  /** Ends the bar's line on a terminal, keeping its last state in view (nothing otherwise). */
  finish(): void {
    if (this.#drawn) this.#job.write('\n');
    this.#drawn = false;
  }

  /** Removes the bar's line from a terminal (nothing otherwise): for a job that failed or made way for a summary. */
  clear(): void {
    if (this.#drawn) this.#job.write('\r\x1b[K');
    this.#drawn = false;
  }
}

/**
 * 1234567 → `1.23M`.
 *
 * @example
 * ```ts
 * import { formatCount } from '@eddy/cli';
 * formatCount(2_500_000); // '2.50M'
 * ```
 */
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

/**
 * Seconds → `1h02m`, `3m20s`, `12s`, `0.4s` (tenths below ten seconds).
 *
 * @example
 * ```ts
 * import { formatSeconds } from '@eddy/cli';
 * formatSeconds(200); // '3m20s'
 * ```
 */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 9.95) return `${Math.max(0, s).toFixed(1)}s`;
  const t = Math.round(s);
  if (t >= 3600) return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  if (t >= 60) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${t}s`;
}
