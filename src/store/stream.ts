import type { DbSession, Row, SelectOptions } from '../db/db.types.ts';

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
