/** The progress line on stderr: overwritten in place on a TTY, a plain line every few seconds otherwise. */

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface ProgressSnapshot {
  bytesRead: number;
  totalBytes: number;
  events: number;
  file: string;
}

const TTY_INTERVAL_MS = 200;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export class Progress {
  private lastWrite = 0;
  private lastLength = 0;
  private started: number;

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number,
    /** Between plain lines when stderr is not a TTY. */
    private readonly intervalMs = 5000,
  ) {
    this.started = now();
    this.lastWrite = this.started;
  }

  /** Starts the clock (rate and interval) again, e.g. once the database is open. */
  restart(): void {
    this.started = this.now();
    this.lastWrite = this.started;
  }

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  line(s: ProgressSnapshot): string {
    const pct = s.totalBytes > 0 ? Math.min(100, (s.bytesRead / s.totalBytes) * 100) : 100;
    const secs = Math.max((this.now() - this.started) / 1000, 0.001);
    const rate = Math.round(s.events / secs);
    return (
      `import: ${pct.toFixed(1)}% of ${formatBytes(s.totalBytes)}, ` +
      `${s.events} events (${rate} events/s) - ${s.file}`
    );
  }

  update(s: ProgressSnapshot): void {
    const t = this.now();
    if (t - this.lastWrite < (this.tty ? TTY_INTERVAL_MS : this.intervalMs)) return;
    this.lastWrite = t;
    this.print(this.line(s));
  }

  /** Clears the in-place line (TTY) before other output. */
  clear(): void {
    if (this.tty && this.lastLength > 0) {
      this.out.write(`\r${' '.repeat(this.lastLength)}\r`);
      this.lastLength = 0;
    }
  }

  /** A plain message on its own line, without corrupting the in-place progress line. */
  message(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  finish(s: ProgressSnapshot): void {
    if (this.tty) {
      this.print(this.line(s));
      this.out.write('\n');
      this.lastLength = 0;
    }
  }

  private print(text: string): void {
    if (this.tty) {
      const pad = this.lastLength > text.length ? ' '.repeat(this.lastLength - text.length) : '';
      this.out.write(`\r${text}${pad}`);
      this.lastLength = text.length;
    } else {
      this.out.write(`${text}\n`);
    }
  }
}
