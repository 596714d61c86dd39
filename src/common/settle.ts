/**
 * Waits for calls run side by side (one round trip on a remote engine instead of one each), every
 * one of them, before failing with the first error: a transaction is rolled back only once none
 * of its calls is still in flight.
 */
export async function settleAll(calls: readonly Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(calls)) {
    if (result.status === 'rejected') throw result.reason;
  }
}
