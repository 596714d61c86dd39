/**
 * What the replicas' design assumes of VAST DataBase's transactions (docs/replicas.md),
 * as tests any VAST target runs: the fake (vast.conflicts.test.ts) and a real cluster
 * (vast.live.test.ts, when one is configured). Two engines on one schema stand for two replicas.
 *
 * - Of two transactions that change one row (update or delete), begun before either committed,
 *   one is refused (DbConflictError) and applies nothing; the other commits. Where the refusal
 *   comes is VAST's choice: at the loser's commit (the second to commit; first committer wins),
 *   or at the call that makes the second change, as VAST's own SDK tests expect (the fake does
 *   either: fake.claims.ts). The engine takes both as conflicts.
 * - Two transactions inserting into one table both commit (no unique keys, no table locks).
 * - Two transactions changing different rows of one table both commit.
 */
import { afterAll, describe, expect, it } from '../../contract/contract.harness.ts';
import { DbConflictError } from '../../db.errors.ts';
import type { DbSession, Engine, TableDef } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { col, where } from '../../predicate.ts';

const T: TableDef = {
  name: 'guards_probe',
  columns: [
    { name: 'key', type: 'string', nullable: false },
    { name: 'stamp', type: 'int64' },
  ],
};

export function describeConflictRules(label: string, open: (schema: string) => Engine): void {
  describe(`transactions of two processes on one database (${label})`, () => {
    const opened: TableManager[] = [];
    afterAll(async () => {
      for (const db of opened) await db.close();
    });
    let stores = 0;
    async function two(): Promise<[TableManager, TableManager]> {
      const schema = `conflicts_${process.pid}_${++stores}`;
      const a = await TableManager.open(open(schema), [T]);
      const b = await TableManager.open(open(schema), [T]);
      opened.push(a, b);
      await a.insert(T.name, [
        { key: 'x', stamp: 0n },
        { key: 'y', stamp: 0n },
      ]);
      return [a, b];
    }
    const stamps = async (db: TableManager) =>
      Object.fromEntries((await db.select(T.name)).map((r) => [r.key as string, r.stamp]));

    /**
     * Runs `first` and `second` in transactions both begun before either commits: `second` makes
     * its changes first, then `first` runs and commits, then `second` commits. Each one's outcome:
     * undefined when it committed, else what it failed with.
     */
    async function overlapping(
      a: TableManager,
      b: TableManager,
      first: (tx: DbSession) => Promise<void>,
      second: (tx: DbSession) => Promise<void>,
    ): Promise<[unknown, unknown]> {
      let firstDone!: () => void;
      const firstEnded = new Promise<void>((resolve) => {
        firstDone = resolve;
      });
      let secondWrote!: () => void;
      const secondWritten = new Promise<void>((resolve) => {
        secondWrote = resolve;
      });
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (error: unknown) => error,
        );
      const late = outcome(
        b.transaction(async (tx) => {
          try {
            await second(tx);
          } finally {
            secondWrote();
          }
          await firstEnded;
        }),
      );
      await secondWritten;
      const early = await outcome(a.transaction((tx) => first(tx)));
      firstDone();
      return [early, await late];
    }

    it('refuses one of two transactions changing one row, applying none of it, and commits the other', async () => {
      const [a, b] = await two();
      const [early, late] = await overlapping(
        a,
        b,
        (tx) => tx.update(T.name, where(col('key').eq('x')), { stamp: 1n }).then(() => undefined),
        async (tx) => {
          await tx.update(T.name, where(col('key').eq('x')), { stamp: 2n });
          await tx.insert(T.name, [{ key: 'z', stamp: 2n }]);
        },
      );
      // Refused at its commit, the later one loses; refused at the call, the one that came second.
      if (late instanceof DbConflictError) {
        expect(early).toBeUndefined();
        expect(await stamps(a)).toEqual({ x: 1n, y: 0n });
      } else {
        expect([early, late].map((o) => o instanceof DbConflictError)).toEqual([true, false]);
        expect(await stamps(a)).toEqual({ x: 2n, y: 0n, z: 2n });
      }
    });

    it('commits both when both insert into one table, or change different rows', async () => {
      const [a, b] = await two();
      const outcomes = await overlapping(
        a,
        b,
        async (tx) => {
          await tx.insert(T.name, [{ key: 'p', stamp: 1n }]);
          await tx.update(T.name, where(col('key').eq('x')), { stamp: 1n });
        },
        async (tx) => {
          await tx.insert(T.name, [{ key: 'q', stamp: 2n }]);
          await tx.update(T.name, where(col('key').eq('y')), { stamp: 2n });
        },
      );
      expect(outcomes).toEqual([undefined, undefined]);
      expect(await stamps(b)).toEqual({ x: 1n, y: 2n, p: 1n, q: 2n });
    });
  });
}
