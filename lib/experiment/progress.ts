/**
 * Progress of a long run. On a terminal: one line redrawn in place (`\r`), at most every
 * `tty.minIntervalMs`. Elsewhere (CI logs, notebooks, files): a plain line every
 * `plainIntervalMs` and at the end, so logs stay readable.
 */

export interface ProgressOptions {
  label: string;
  total: number;
  write: (text: string) => void;
  isTTY: boolean;
  now?: () => number;
  /** Minimum time between plain-text lines (default 10 s). */
  plainIntervalMs?: number;
  /** Minimum time between redraws on a terminal (default 100 ms). */
  ttyIntervalMs?: number;
  /** Extra text at the end of each line (e.g. the cost so far). */
  suffix?: () => string;
}

const BAR_WIDTH = 24;

export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started: number;
  private lastDraw = -Infinity;
  private readonly now: () => number;
  private finished = false;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
  }

  /** Counts `n` finished items (or failed ones with `failed: true`) and redraws if due. */
  tick(n = 1, failed = false): void {
    if (failed) this.failed += n;
    else this.done += n;
    const t = this.now();
    const interval = this.o.isTTY ? (this.o.ttyIntervalMs ?? 100) : (this.o.plainIntervalMs ?? 10_000);
    if (t - this.lastDraw >= interval) {
      this.lastDraw = t;
      this.draw(t);
    }
  }

  /** Draws the final state and ends the line. */
  finish(note = ""): void {
    if (this.finished) return;
    this.finished = true;
    const line = this.line(this.now()) + (note ? ` ${note}` : "");
    this.o.write(this.o.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  /** The current line's text (without control characters). */
  line(t: number): string {
    const { total, label } = this.o;
    const n = this.done + this.failed;
    const secs = Math.max(1e-9, (t - this.started) / 1000);
    const rate = this.done / secs;
    const left = Math.max(0, total - n);
    const eta = rate > 0 && left > 0 ? ` eta ${formatDuration(left / rate)}` : "";
    const frac = total > 0 ? Math.min(1, n / total) : 1;
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = this.o.isTTY ? `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ` : "";
    const failed = this.failed > 0 ? `, ${this.failed} failed` : "";
    const suffix = this.o.suffix ? ` ${this.o.suffix()}` : "";
    return `${label} ${bar}${n}/${total} (${(frac * 100).toFixed(0)}%${failed}) ${rate.toFixed(1)}/s${eta}${suffix}`;
  }

  private draw(t: number): void {
    this.o.write(this.o.isTTY ? `\r${this.line(t)}\x1b[K` : `${this.line(t)}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
