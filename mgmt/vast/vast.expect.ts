/**
 * The part of vitest's `expect` the contract suites use, for the field kit's runner (the CLI has
 * no vitest). Same meanings: toEqual compares recursively and ignores properties that are
 * undefined, toMatchObject checks only the expected properties, asymmetric matchers
 * (arrayContaining, stringMatching) match inside either. A matcher the suites start using and
 * this file lacks fails that check with a message naming it, never passes silently.
 */

/** An asymmetric matcher (`expect.arrayContaining([...])`), as vitest's equality knows them. */
interface Asymmetric {
  asymmetricMatch(other: unknown): boolean;
  toString(): string;
}

function isAsymmetric(value: unknown): value is Asymmetric {
  return typeof (value as Partial<Asymmetric> | null)?.asymmetricMatch === 'function';
}

export class ExpectationError extends Error {
  override readonly name = 'ExpectationError';
}

/** A value as a message shows it: bigints with `n`, dates in ISO, long output cut. */
export function show(value: unknown): string {
  const seen = new WeakSet<object>();
  const text = JSON.stringify(value, function (this: unknown, key, v: unknown) {
    const raw = (this as Record<string, unknown> | undefined)?.[key];
    if (typeof v === 'bigint') return `${v}n`;
    if (raw instanceof Date) return `Date(${Number.isNaN(raw.getTime()) ? 'invalid' : raw.toISOString()})`;
    if (v === undefined) return 'undefined';
    if (isAsymmetric(v)) return v.toString();
    if (v instanceof Error)
      return `${v.name}(${JSON.stringify(v.message)}${'code' in v ? `, code ${String(v.code)}` : ''})`;
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
  const out = text === undefined ? String(value) : text;
  return out.length > 400 ? `${out.slice(0, 400)}…` : out;
}

/** Equality as toEqual (partial: as toMatchObject, only the expected side's properties count). */
export function equals(actual: unknown, expected: unknown, partial = false): boolean {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual);
  if (isAsymmetric(actual)) return actual.asymmetricMatch(expected);
  if (Object.is(actual, expected)) return true;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null)
    return false;
  if (actual instanceof Date || expected instanceof Date)
    return actual instanceof Date && expected instanceof Date && actual.getTime() === expected.getTime();
  if (ArrayBuffer.isView(actual) || ArrayBuffer.isView(expected)) {
    if (!ArrayBuffer.isView(actual) || !ArrayBuffer.isView(expected)) return false;
    return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
    );
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected) || actual.length !== expected.length) return false;
    return actual.every((a, i) => equals(a, expected[i], partial));
  }
  if (actual instanceof Map || expected instanceof Map) {
    if (!(actual instanceof Map) || !(expected instanceof Map) || actual.size !== expected.size) return false;
    return [...expected].every(([k, v]) => actual.has(k) && equals(actual.get(k), v, partial));
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  if (partial) return keys(e).every((k) => k in a && equals(a[k], e[k], true));
  const ak = keys(a);
  const ek = keys(e);
  return ak.length === ek.length && ek.every((k) => equals(a[k], e[k], false));
}

type Check = (received: unknown, ...args: unknown[]) => [pass: boolean, message: string];

/** Is `thrown` what toThrow(expected) asks for: any error, a class, a message part, a pattern. */
function thrownMatches(thrown: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (typeof expected === 'function') return thrown instanceof expected;
  if (typeof expected === 'string') return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  return equals(thrown, expected, true);
}

const CHECKS: Readonly<Record<string, Check>> = {
  toBe: (r, e) => [Object.is(r, e), `expected ${show(r)} to be ${show(e)}`],
  toEqual: (r, e) => [equals(r, e), `expected ${show(r)} to equal ${show(e)}`],
  toMatchObject: (r, e) => [equals(r, e, true), `expected ${show(r)} to match ${show(e)}`],
  toBeInstanceOf: (r, c) => [
    typeof c === 'function' && r instanceof c,
    `expected ${show(r)} to be an instance of ${(c as { name?: string }).name ?? String(c)}`,
  ],
  toHaveLength: (r, n) => [
    (r as { length?: unknown } | null)?.length === n,
    `expected length ${n}, got ${show((r as { length?: unknown } | null)?.length)} (${show(r)})`,
  ],
  toBeNull: (r) => [r === null, `expected ${show(r)} to be null`],
  toBeUndefined: (r) => [r === undefined, `expected ${show(r)} to be undefined`],
  toContain: (r, item) => [
    (Array.isArray(r) || typeof r === 'string') && (r as unknown[] & string).includes(item as never),
    `expected ${show(r)} to contain ${show(item)}`,
  ],
  toBeGreaterThan: (r, n) => [
    (typeof r === 'number' || typeof r === 'bigint') && r > (n as number),
    `expected ${show(r)} to be greater than ${show(n)}`,
  ],
  toSatisfy: (r, f) => [
    typeof f === 'function' && (f as (v: unknown) => unknown)(r) === true,
    `expected ${show(r)} to satisfy ${show(f)}`,
  ],
  toThrow: (r, e) => {
    if (typeof r !== 'function') return [false, `expected a function, got ${show(r)}`];
    try {
      (r as () => unknown)();
    } catch (thrown) {
      return [thrownMatches(thrown, e), `expected a throw matching ${show(e)}, got ${show(thrown)}`];
    }
    return [false, `expected ${show(r)} to throw`];
  },
};

/** toThrow after rejects: the rejection itself is what was thrown. */
const REJECTION_CHECKS: Readonly<Record<string, Check>> = {
  ...CHECKS,
  toThrow: (r, e) => [thrownMatches(r, e), `expected a rejection matching ${show(e)}, got ${show(r)}`],
};

function unknownMatcher(name: string): never {
  throw new ExpectationError(
    `the field kit's expect has no .${name} (mgmt/vast/vast.expect.ts implements what the contract suites use)`,
  );
}

/** The matchers on `received`: each throws ExpectationError when the expectation fails. */
function matchers(received: unknown, negate: boolean, checks: Readonly<Record<string, Check>>): object {
  return new Proxy(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string' || name === 'then') return undefined;
        if (name === 'not') return matchers(received, !negate, checks);
        const check = checks[name];
        if (check === undefined) return unknownMatcher(name);
        return (...args: unknown[]) => {
          const [pass, message] = check(received, ...args);
          if (pass === negate) throw new ExpectationError(negate ? `not: ${message}` : message);
        };
      },
    },
  );
}

/** `.rejects` / `.resolves`: matchers that wait for the promise, then check its outcome. */
function settled(promise: unknown, want: 'rejects' | 'resolves'): object {
  return new Proxy(
    {},
    {
      get(_target, name) {
        if (typeof name !== 'string' || name === 'then') return undefined;
        return async (...args: unknown[]) => {
          let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
          try {
            outcome = { ok: true, value: await promise };
          } catch (error) {
            outcome = { ok: false, error };
          }
          if (want === 'rejects' && outcome.ok)
            throw new ExpectationError(`expected a rejection, got the value ${show(outcome.value)}`);
          if (want === 'resolves' && !outcome.ok)
            throw new ExpectationError(`expected a value, got the rejection ${show(outcome.error)}`);
          const value = outcome.ok ? outcome.value : outcome.error;
          const target = matchers(value, false, want === 'rejects' ? REJECTION_CHECKS : CHECKS);
          (target as Record<string, (...a: unknown[]) => void>)[name]?.(...args);
        };
      },
    },
  );
}

/** `expect(received)`, with `.not`, `.rejects`, `.resolves` and the two asymmetric matchers. */
export function kitExpect(received: unknown): object {
  const base = matchers(received, false, CHECKS);
  return new Proxy(base, {
    get(target, name, receiver) {
      if (name === 'rejects' || name === 'resolves') return settled(received, name);
      return Reflect.get(target, name, receiver);
    },
  });
}

kitExpect.arrayContaining = (items: readonly unknown[]): Asymmetric => ({
  asymmetricMatch: (other) =>
    Array.isArray(other) && items.every((item) => other.some((o) => equals(o, item))),
  toString: () => `ArrayContaining ${show(items)}`,
});

kitExpect.stringMatching = (pattern: RegExp | string): Asymmetric => ({
  asymmetricMatch: (other) =>
    typeof other === 'string' &&
    (typeof pattern === 'string' ? other.includes(pattern) : pattern.test(other)),
  toString: () => `StringMatching ${String(pattern)}`,
});
