/**
 * Where the contract suites (contract.*.ts, and vast.conflicts.contract.ts) get describe, it,
 * expect and their hooks: from vitest under `vitest run`, or from another runner that installed
 * its own on globalThis under CONTRACT_HARNESS (contract.harness.key.ts) before importing any
 * suite. `tams-mgmt vast check` (mgmt/vast/) is that other runner: it runs the same suites
 * against a real cluster from the CLI, where vitest is not installed (the image ships without dev
 * dependencies), so vitest is only loaded when nothing else was installed.
 */
import type * as Vitest from 'vitest';
import { CONTRACT_HARNESS } from './contract.harness.key.ts';

/** What the suites use of vitest's API (a runner installing its own must provide all of it). */
export interface ContractHarness {
  readonly describe: typeof Vitest.describe;
  readonly it: typeof Vitest.it;
  readonly expect: typeof Vitest.expect;
  readonly beforeEach: typeof Vitest.beforeEach;
  readonly afterEach: typeof Vitest.afterEach;
  readonly afterAll: typeof Vitest.afterAll;
}

const installed = (globalThis as { [CONTRACT_HARNESS]?: ContractHarness })[CONTRACT_HARNESS];
const harness: ContractHarness = installed ?? (await import('vitest'));

export const { describe, it, expect, beforeEach, afterEach, afterAll } = harness;
