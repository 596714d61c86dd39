/** Output of the management commands: results on `out` (stdout), progress and notes on `err`. */
export interface MgmtIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether `err` is a terminal: progress then rewrites one line instead of printing many. */
  interactive: boolean;
}

/** A failure to report in one line (no stack): exit status 1, or 2 for wrong usage. */
export class MgmtError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'MgmtError';
  }
}

export class UsageError extends MgmtError {
  constructor(message: string) {
    super(message, 2);
  }
}

const PROGRESS_EVERY_MS = 500;
const BAR_WIDTH = 30;

/**
 * Progress of long work on stderr: on a terminal one line rewritten in place, otherwise a line
 * every half second at most (logs stay readable), and always a final line.
 */
export class Progress {
  private done = 0;
  /** Short work prints only its final line. */
  private last = performance.now();

  constructor(
    private readonly io: MgmtIo,
    private readonly label: string,
    private readonly total?: number,
  ) {}

  add(n: number): void {
    this.done += n;
    const now = performance.now();
    if (now - this.last < PROGRESS_EVERY_MS) return;
    this.last = now;
    this.io.err(this.io.interactive ? `\r${this.line()}` : `${this.line()}\n`);
  }

  finish(): void {
    this.io.err(this.io.interactive ? `\r${this.line()}\n` : `${this.line()}\n`);
  }

  private line(): string {
    if (this.total === undefined || this.total === 0)
      return `${this.label}: ${this.done.toLocaleString('en')}`;
    const pct = Math.min(100, Math.floor((this.done / this.total) * 100));
    const counts = `${this.done.toLocaleString('en')} / ${this.total.toLocaleString('en')} (${pct}%)`;
    // On a terminal the rewritten line carries a bar; logs keep the figures alone.
    if (!this.io.interactive) return `${this.label}: ${counts}`;
    const filled = Math.round((Math.min(pct, 100) / 100) * BAR_WIDTH);
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts}`;
  }
}

/** Rows as aligned columns (the first row is the header). */
export function columns(
  rows: readonly (readonly string[])[],
  rightAligned: ReadonlySet<number> = new Set(),
): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
