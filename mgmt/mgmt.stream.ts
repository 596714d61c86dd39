import type { DbSession, Row, SelectOptions } from '../src/db/db.types.ts';

class Stopped extends Error {}

/**
 * A table scan as an async iterator of rows, pulled by the consumer: the engine's push-style scan
 * waits for each batch to be taken, so two sorted scans can be merged in step without holding
 * either in memory. Leaving the loop early stops the scan (and frees its connection).
 */
export async function* scanRows(
  db: DbSession,
  table: string,
  options: Omit<SelectOptions, 'limit'>,
): AsyncGenerator<Row> {
  let offer: ((batch: Row[] | undefined) => void) | undefined;
  let taken: ((stop: boolean) => void) | undefined;
  let next = new Promise<Row[] | undefined>((resolve) => {
    offer = resolve;
  });
  let failure: unknown;
  const scan = db
    .scan(table, options, async (rows) => {
      const wait = new Promise<boolean>((resolve) => {
        taken = resolve;
      });
      offer?.(rows);
      if (await wait) throw new Stopped();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Stopped)) failure = error;
    })
    .finally(() => offer?.(undefined));
  try {
    for (;;) {
      const batch = await next;
      if (batch === undefined) break;
      next = new Promise((resolve) => {
        offer = resolve;
      });
      const release = taken;
      yield* batch;
      release?.(false);
    }
    await scan;
    if (failure !== undefined) throw failure;
  } finally {
    // The consumer stopped early (or failed): let the engine's scan end.
    taken?.(true);
    await scan;
  }
}

/** A peekable cursor over an async iterator. */
export class Cursor<T> {
  private head: IteratorResult<T> | undefined;

  constructor(private readonly source: AsyncIterator<T>) {}

  async peek(): Promise<T | undefined> {
    this.head ??= await this.source.next();
    return this.head.done ? undefined : this.head.value;
  }

  async take(): Promise<T | undefined> {
    const value = await this.peek();
    if (value !== undefined) this.head = undefined;
    return value;
  }

  /** Ends the source early (a scan underneath frees its connection). */
  async close(): Promise<void> {
    await this.source.return?.(undefined);
  }
}

/**
 * Strings in the order engines sort them (Unicode code points, as UTF-8 bytes compare), which
 * JavaScript's `<` (UTF-16 code units) differs from beyond the Basic Multilingual Plane.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every other BMP code unit in code point order.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
