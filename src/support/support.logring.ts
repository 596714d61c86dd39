import { type DestinationStream, pino } from 'pino';

/** A line longer than this is kept cut (a stack of a deep error): the ring's memory stays bounded. */
export const MAX_LINE_BYTES = 16 * 1024;

/**
 * The last lines the server logged, for the support bundle: a fixed array of references to the
 * strings pino already made, written round. Keeping a line costs one array store (a cut only for
 * the rare line over MAX_LINE_BYTES); memory is at most `capacity` lines of MAX_LINE_BYTES, in
 * practice `capacity` times a log line's length (~0.3 KB: 2,000 lines ~0.6 MB). Nothing is
 * redacted here: the hot path pays nothing more; the bundle redacts when it is made.
 */
export class LogRing {
  private readonly slots: (string | undefined)[];
  private next = 0;
  private held = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array(capacity);
  }

  push(line: string): void {
    if (this.capacity === 0) return;
    this.slots[this.next] = line.length > MAX_LINE_BYTES ? `${line.slice(0, MAX_LINE_BYTES)}…(cut)\n` : line;
    this.next = (this.next + 1) % this.capacity;
    if (this.held < this.capacity) this.held++;
  }

  /** The last `n` lines (all it holds by default), oldest first. */
  recent(n = this.capacity): string[] {
    const count = Math.min(n, this.held);
    const out: string[] = [];
    for (let i = count; i > 0; i--) {
      const line = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (line !== undefined) out.push(line);
    }
    return out;
  }
}

/**
 * Where the server's logger writes: standard output as pino writes it by default (an
 * asynchronous SonicBoom on fd 1, flushed at exit), and the ring.
 */
export function teeDestination(ring: LogRing): DestinationStream {
  const out = pino.destination({ dest: process.stdout.fd ?? 1 });
  return {
    write(line: string) {
      out.write(line);
      ring.push(line);
    },
  };
}
