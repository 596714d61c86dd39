/**
 * What the replicas' design assumes of VAST DataBase's transactions (docs/replicas.md),
 * as tests any VAST target runs: the fake (vast.conflicts.test.ts) and a real cluster
 * (vast.live.test.ts, when one is configured). Two engines on one schema stand for two replicas.
 *
 * - Of two transactions that changed one row (update or delete), begun before either committed,
 *   the second to commit is refused (DbConflictError) and applies nothing.
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

    /** Runs `first` and `second` in transactions both begun before either commits; `first` commits first. */
    async function overlapping(
      a: TableManager,
      b: TableManager,
      first: (tx: DbSession) => Promise<void>,
      second: (tx: DbSession) => Promise<void>,
    ): Promise<unknown> {
      let firstDone!: () => void;
      const firstCommitted = new Promise<void>((resolve) => {
        firstDone = resolve;
      });
      let secondWrote!: () => void;
      const secondWritten = new Promise<void>((resolve) => {
        secondWrote = resolve;
      });
      const late = b
        .transaction(async (tx) => {
          await second(tx);
          secondWrote();
          await firstCommitted;
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await secondWritten;
      await a.transaction((tx) => first(tx));
      firstDone();
      return late;
    }

    it('refuses the second commit of one row changed by both, applying none of it', async () => {
      const [a, b] = await two();
      const outcome = await overlapping(
        a,
        b,
        (tx) => tx.update(T.name, where(col('key').eq('x')), { stamp: 1n }).then(() => undefined),
        async (tx) => {
          await tx.update(T.name, where(col('key').eq('x')), { stamp: 2n });
          await tx.insert(T.name, [{ key: 'z', stamp: 2n }]);
        },
      );
      expect(outcome).toBeInstanceOf(DbConflictError);
      expect(await stamps(a)).toEqual({ x: 1n, y: 0n });
    });

    it('commits both when both insert into one table, or change different rows', async () => {
      const [a, b] = await two();
      const outcome = await overlapping(
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
      expect(outcome).toBeUndefined();
      expect(await stamps(b)).toEqual({ x: 1n, y: 2n, p: 1n, q: 2n });
    });
  });
}
