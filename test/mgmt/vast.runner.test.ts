/**
 * The field kit's stand-in for vitest (mgmt/vast/vast.runner.ts, vast.expect.ts): the contract
 * suites pass under it on the fake VAST (test/vast/field/field.kit.test.ts), which would also
 * happen if its expectations passed whatever they were given. Here each matcher the suites use
 * must fail on a value that does not match, as vitest's does, and a failing check, hook or
 * timeout must be reported failed.
 */
import { describe, expect, it } from 'vitest';
import { ExpectationError, kitExpect } from '../../mgmt/vast/vast.expect.ts';
import { KitRunner } from '../../mgmt/vast/vast.runner.ts';

type Name =
  | 'toBe'
  | 'toEqual'
  | 'toMatchObject'
  | 'toBeInstanceOf'
  | 'toHaveLength'
  | 'toBeNull'
  | 'toBeUndefined'
  | 'toContain'
  | 'toBeGreaterThan'
  | 'toThrow'
  | 'toBeCloseTo';
type Sync = { [K in Name]: (...args: unknown[]) => unknown };
type Matchers = Sync & {
  not: Sync;
  rejects: { [K in Name]: (...args: unknown[]) => Promise<void> };
  resolves: { [K in Name]: (...args: unknown[]) => Promise<void> };
};
const check = (value: unknown) => kitExpect(value) as Matchers;

class Coded extends Error {
  constructor(readonly code: string) {
    super(`failed with ${code}`);
  }
}

describe("the field kit's expect", () => {
  it('passes what matches and throws an ExpectationError on what does not', () => {
    const cases: [unknown, Name, unknown[], boolean][] = [
      [1n, 'toBe', [1n], true],
      [1n, 'toBe', [1], false],
      [{ a: 1, b: undefined }, 'toEqual', [{ a: 1 }], true],
      [{ a: 1, b: 2 }, 'toEqual', [{ a: 1 }], false],
      [[new Date(5), new Uint8Array([1])], 'toEqual', [[new Date(5), new Uint8Array([1])]], true],
      [[new Date(5)], 'toEqual', [[new Date(6)]], false],
      [{ a: 1, b: 2 }, 'toMatchObject', [{ a: 1 }], true],
      [{ a: 1 }, 'toMatchObject', [{ a: 1, b: 2 }], false],
      [new Coded('x'), 'toBeInstanceOf', [Coded], true],
      [new Error('x'), 'toBeInstanceOf', [Coded], false],
      [[1, 2], 'toHaveLength', [2], true],
      [[1], 'toHaveLength', [2], false],
      [null, 'toBeNull', [], true],
      [0, 'toBeNull', [], false],
      [undefined, 'toBeUndefined', [], true],
      [null, 'toBeUndefined', [], false],
      [['a', 'b'], 'toContain', ['b'], true],
      [['a'], 'toContain', ['b'], false],
      [2, 'toBeGreaterThan', [1], true],
      [1, 'toBeGreaterThan', [1], false],
      [['x', 'y', 'z'], 'toEqual', [kitExpect.arrayContaining(['z', 'x'])], true],
      [['x'], 'toEqual', [kitExpect.arrayContaining(['z'])], false],
      [{ t: 'json' }, 'toEqual', [{ t: kitExpect.stringMatching(/^(json|string)$/) }], true],
      [{ t: 'int' }, 'toEqual', [{ t: kitExpect.stringMatching(/^(json|string)$/) }], false],
    ];
    for (const [value, matcher, args, pass] of cases) {
      const run = () => check(value)[matcher](...args);
      if (pass) expect(run, `${matcher} ${String(value)}`).not.toThrow();
      else expect(run, `${matcher} ${String(value)}`).toThrow(ExpectationError);
      // .not turns each outcome round.
      const negated = () => check(value).not[matcher](...args);
      if (pass) expect(negated).toThrow(ExpectationError);
      else expect(negated).not.toThrow();
    }
  });

  it('toThrow checks the class or the message of what was thrown', () => {
    const thrower = () => {
      throw new Coded('boom');
    };
    expect(() => check(thrower).toThrow(Coded)).not.toThrow();
    expect(() => check(thrower).toThrow('with boom')).not.toThrow();
    expect(() => check(thrower).toThrow(TypeError)).toThrow(ExpectationError);
    expect(() => check(() => 1).toThrow()).toThrow(ExpectationError);
  });

  it('rejects and resolves wait for the promise and check its outcome', async () => {
    await expect(
      check(Promise.reject(new Coded('gone'))).rejects.toMatchObject({ code: 'gone' }),
    ).resolves.toBeUndefined();
    await expect(
      check(Promise.reject(new Coded('gone'))).rejects.toMatchObject({ code: 'other' }),
    ).rejects.toThrow(ExpectationError);
    await expect(check(Promise.resolve(1)).rejects.toMatchObject({})).rejects.toThrow('expected a rejection');
    await expect(
      check(Promise.reject(new Error('undo it'))).rejects.toThrow('undo'),
    ).resolves.toBeUndefined();
    await expect(check(Promise.resolve(3)).resolves.toBe(3)).resolves.toBeUndefined();
  });

  it('refuses a matcher it does not implement rather than passing it', () => {
    expect(() => check(1).toBeCloseTo(1)).toThrow(/has no \.toBeCloseTo/);
  });
});

describe("the field kit's runner", () => {
  it('reports each check passed, failed (with why), skipped or timed out, hooks included', async () => {
    const runner = new KitRunner(200);
    const order: string[] = [];
    const {
      describe: d,
      it: t,
      beforeEach,
      afterEach,
      afterAll,
    } = runner.harness as unknown as {
      [K in 'describe' | 'beforeEach' | 'afterEach' | 'afterAll']: (...args: unknown[]) => unknown;
    } & { it: ((...args: unknown[]) => unknown) & { runIf(c: boolean): (...args: unknown[]) => unknown } };
    d('outer', () => {
      beforeEach(() => order.push('before'));
      afterEach(() => order.push('after'));
      afterAll(() => {
        throw new Error('cleanup broke');
      });
      t('passes', () => order.push('passes'));
      t('fails', () => {
        throw new ExpectationError('expected 1 to be 2');
      });
      t.runIf(false)('skipped', () => order.push('never'));
      t('hangs', () => new Promise(() => undefined));
    });
    const results = await runner.run(() => undefined);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['passes', 'passed'],
      ['fails', 'failed'],
      ['skipped', 'skipped'],
      ['hangs', 'failed'],
      ['(cleanup)', 'failed'],
    ]);
    expect(results[1]?.error).toContain('expected 1 to be 2');
    expect(results[3]?.error).toContain('timed out');
    expect(results[4]?.error).toContain('cleanup broke');
    expect(order.slice(0, 3)).toEqual(['before', 'passes', 'after']);
    expect(order).not.toContain('never');
  });
});
