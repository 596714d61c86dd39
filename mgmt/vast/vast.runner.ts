/**
 * The field kit's test runner: collects describe/it/hooks as vitest does and runs the checks one
 * after the other, timing each. It stands in for vitest under the contract suites
 * (src/db/contract/contract.harness.ts), and runs the kit's own probes, which may also say what
 * they observed (`note`), pass or fail, or fail in a way that leaves nothing else to check
 * (StopRun: the endpoint, the keys, the bucket), which ends the run there.
 */
import type { ContractHarness } from '../../src/db/contract/contract.harness.ts';
import { kitExpect, show } from './vast.expect.ts';

/** What a check hands back besides pass or fail: the behaviour it saw, one line each. */
export interface CheckContext {
  note(line: string): void;
}

type Fn = (ctx: CheckContext) => unknown;

interface Test {
  readonly kind: 'test';
  readonly name: string;
  readonly fn: Fn | undefined;
}

interface Suite {
  readonly kind: 'suite';
  readonly name: string;
  readonly children: (Suite | Test)[];
  readonly beforeEach: Fn[];
  readonly afterEach: Fn[];
  readonly afterAll: Fn[];
}

export interface CheckResult {
  /** The describe blocks around it, outermost first. */
  readonly group: readonly string[];
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly ms: number;
  /** Why it failed: the expectation or the error, one line. */
  readonly error?: string;
  /** What the check observed (probes). */
  readonly observed: readonly string[];
  /** The run stopped after this check's failure (StopRun): what to do about it. */
  readonly fix?: string;
}

/**
 * A check's failure after which no other check can tell anything (every call would fail the same
 * way): the run stops. The message is the cause, `fix` what to do, naming the setting to change.
 */
export class StopRun extends Error {
  override readonly name = 'StopRun';

  constructor(
    cause: string,
    readonly fix: string,
  ) {
    super(cause);
  }
}

/** How a check or hook failed: its line, and what to do when the failure stops the run. */
interface Failure {
  readonly line: string;
  readonly fix?: string;
}

const newSuite = (name: string): Suite => ({
  kind: 'suite',
  name,
  children: [],
  beforeEach: [],
  afterEach: [],
  afterAll: [],
});

/** An error as one line: the message, the VAST code and status when it has them. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return show(error);
  const extra = ['code', 'status']
    .filter((k) => k in error && (error as unknown as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${k} ${String((error as unknown as Record<string, unknown>)[k])}`);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${extra.length > 0 ? ` [${extra.join(', ')}]` : ''}${cause}`.replace(
    /\s*\n\s*/g,
    ' ',
  );
}

const countTests = (suite: Suite): number =>
  suite.children.reduce((n, c) => n + (c.kind === 'test' ? 1 : countTests(c)), 0);

export class KitRunner {
  private readonly root = newSuite('');
  private current = this.root;
  /** The check whose failure stopped the last run, if one did. */
  stoppedAt: CheckResult | undefined;
  /** Checks of the last run not run because it stopped. */
  notRun = 0;

  constructor(
    /** Longest a check may take before it is reported failed (its work may still go on). */
    private readonly timeoutMs: number,
  ) {}

  /** describe/it/expect/hooks for suites written against vitest's API. */
  readonly harness: ContractHarness = (() => {
    const describe = (name: string, body: () => void) => this.describe(name, body);
    const it = Object.assign((name: string, fn?: Fn) => this.test(name, fn), {
      skip: (name: string) => this.test(name, undefined),
      runIf: (condition: boolean) => (name: string, fn?: Fn) => this.test(name, condition ? fn : undefined),
      skipIf: (condition: boolean) => (name: string, fn?: Fn) => this.test(name, condition ? undefined : fn),
    });
    const hook = (list: 'beforeEach' | 'afterEach' | 'afterAll') => (fn: Fn) => {
      this.current[list].push(fn);
    };
    // The suites call a subset of vitest's API (vast.expect.ts and the functions above cover it);
    // vitest's own types describe far more, which a check outside that subset finds at run time.
    return {
      describe: describe as unknown as ContractHarness['describe'],
      it: it as unknown as ContractHarness['it'],
      expect: kitExpect as unknown as ContractHarness['expect'],
      beforeEach: hook('beforeEach') as unknown as ContractHarness['beforeEach'],
      afterEach: hook('afterEach') as unknown as ContractHarness['afterEach'],
      afterAll: hook('afterAll') as unknown as ContractHarness['afterAll'],
    };
  })();

  describe(name: string, body: () => void): void {
    const suite = newSuite(name);
    this.current.children.push(suite);
    const outer = this.current;
    this.current = suite;
    try {
      body();
    } finally {
      this.current = outer;
    }
  }

  /** A check; without `fn` it is listed as skipped. */
  test(name: string, fn: Fn | undefined): void {
    this.current.children.push({ kind: 'test', name, fn });
  }

  /** Runs every check collected so far, in order; `report` hears each result as it comes. */
  async run(report: (result: CheckResult) => void): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const total = countTests(this.root);
    this.stoppedAt = undefined;
    await this.runSuite(this.root, [], [], [], (r) => {
      results.push(r);
      report(r);
      if (r.fix !== undefined) this.stoppedAt ??= r;
    });
    this.notRun =
      this.stoppedAt === undefined ? 0 : total - results.filter((r) => r.name !== '(cleanup)').length;
    this.root.children.length = 0;
    return results;
  }

  private async runSuite(
    suite: Suite,
    group: readonly string[],
    before: readonly Fn[],
    after: readonly Fn[],
    report: (r: CheckResult) => void,
  ): Promise<void> {
    const path = suite.name === '' ? group : [...group, suite.name];
    const befores = [...before, ...suite.beforeEach];
    const afters = [...suite.afterEach, ...after];
    let started = false;
    for (const child of suite.children) {
      if (this.stoppedAt !== undefined) break;
      started = true;
      if (child.kind === 'suite') await this.runSuite(child, path, befores, afters, report);
      else report(await this.runTest(child, path, befores, afters));
    }
    // A suite the run stopped before has nothing to clean up.
    if (!started) return;
    for (const fn of suite.afterAll) {
      const failure = await this.attempt(fn, { note: () => undefined });
      if (failure !== undefined)
        report({
          group: path,
          name: '(cleanup)',
          status: 'failed',
          ms: 0,
          error: failure.line,
          observed: [],
        });
    }
  }

  private async runTest(test: Test, group: readonly string[], before: readonly Fn[], after: readonly Fn[]) {
    const observed: string[] = [];
    if (test.fn === undefined) return { group, name: test.name, status: 'skipped' as const, ms: 0, observed };
    const ctx: CheckContext = { note: (line) => observed.push(line) };
    const started = performance.now();
    let error: Failure | undefined;
    for (const fn of before) error ??= await this.attempt(fn, ctx);
    if (error === undefined) error = await this.attempt(test.fn, ctx);
    for (const fn of after) {
      const failure = await this.attempt(fn, ctx);
      error ??= failure === undefined ? undefined : { ...failure, line: `after the check: ${failure.line}` };
    }
    const ms = Math.round(performance.now() - started);
    if (error === undefined) return { group, name: test.name, status: 'passed' as const, ms, observed };
    return {
      group,
      name: test.name,
      status: 'failed' as const,
      ms,
      error: error.line,
      observed,
      ...(error.fix !== undefined && { fix: error.fix }),
    };
  }

  /** Runs `fn` within the time limit; how it failed, or undefined. */
  private async attempt(fn: Fn, ctx: CheckContext): Promise<Failure | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${this.timeoutMs / 1000} s`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.resolve().then(() => fn(ctx)), limit]);
      return undefined;
    } catch (error) {
      if (error instanceof StopRun) return { line: error.message, fix: error.fix };
      return { line: errorLine(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
