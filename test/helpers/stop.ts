/** Teardown of suites that start several things (servers, browsers, scratch folders). */
type Stoppable = { close(): Promise<unknown> } | { remove(): unknown } | undefined;

/**
 * Stops what a suite started, in the order given (the browser before the server it talks to),
 * each one even when one before it failed; the first failure is thrown after.
 */
export async function stopAll(...parts: Stoppable[]): Promise<void> {
  const failures: unknown[] = [];
  for (const part of parts) {
    try {
      if (part === undefined) continue;
      if ('close' in part) await part.close();
      else part.remove();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
