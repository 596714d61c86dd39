/**
 * Deadlines of the tests, set for a loaded 2-core machine (load average 8: a quarter of a core
 * each), where work that takes 2 s idle takes 10-20 s. A deadline only ends a wait that has
 * already failed, so a long one costs a passing run nothing; a short one fails a slow but correct
 * run. Waits for a state use WAIT_MS (expect.poll's default is set to it in vitest.config.ts);
 * tests that do minutes of work on an idle machine set SLOW_TEST_MS.
 */

/** A state a test waits for: a poll, a delivery, a server becoming ready. */
export const WAIT_MS = 60_000;

/** A test doing heavy work (browsers, media tools, many processes), four times its idle time. */
export const SLOW_TEST_MS = 240_000;
