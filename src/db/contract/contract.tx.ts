import type { DbSession, Row, TableDef } from '../db.types.ts';
import type { TableManager } from '../manager.ts';
import { col, where } from '../predicate.ts';
import { type ContractContext, sortedIds, THING_ROWS, THINGS } from './contract.fixture.ts';
import { beforeEach, describe, expect, it } from './contract.harness.ts';

const COUNTERS: TableDef = {
  name: 'counters',
  columns: [
    { name: 'name', type: 'string', nullable: false },
    { name: 'value', type: 'int64', nullable: false },
  ],
};

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

async function increment(tx: DbSession, name: string): Promise<void> {
  const [row] = await tx.select('counters', { where: where(col('name').eq(name)) });
  // Give other async callers every chance to interleave between the read and the write.
  await tick();
  await tx.update('counters', where(col('name').eq(name)), { value: (row?.value as bigint) + 1n });
}

async function snapshot(db: TableManager): Promise<Row[]> {
  return db.select('things', { orderBy: [{ column: 'id' }] });
}

export function transactionContract(ctx: ContractContext): void {
  describe('transactions', () => {
    let db: TableManager;
    beforeEach(async () => {
      db = await ctx.open([THINGS, COUNTERS]);
      await db.insert('things', THING_ROWS);
      await db.insert('counters', [{ name: 'c', value: 0n }]);
    });

    it('commits all changes and returns the callback result', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.insert('things', [{ id: 11n, name: 'eleven' }]);
        await tx.insert(
          'things',
          Array.from({ length: 50 }, (_, i) => ({ id: BigInt(100 + i) })),
        );
        const changed = await tx.update('things', where(col('id').eq(1n)), { name: 'first' });
        const deleted = await tx.delete('things', where(col('id').eq(2n)));
        return { changed, deleted };
      });
      expect(result).toEqual({ changed: 1, deleted: 1 });
      expect(await db.count('things')).toBe(10 + 50);
      expect(
        await db.select('things', {
          where: where(col('id').in([1n, 11n])),
          columns: ['name'],
          orderBy: [{ column: 'id' }],
        }),
      ).toEqual([{ name: 'first' }, { name: 'eleven' }]);
    });

    it('sees its own writes inside the transaction', async () => {
      await db.transaction(async (tx) => {
        await tx.insert('things', [{ id: 11n }]);
        await tx.insert(
          'things',
          Array.from({ length: 40 }, (_, i) => ({ id: BigInt(100 + i), name: 'bulk' })),
        );
        expect(await tx.count('things')).toBe(51);
        expect(await tx.count('things', where(col('name').eq('bulk')))).toBe(40);
        await tx.update('things', where(col('name').eq('bulk')), { name: 'bulk2' });
        expect(await tx.count('things', where(col('name').eq('bulk2')))).toBe(40);
        await tx.delete('things', where(col('id').eq(11n)));
        expect(await tx.select('things', { where: where(col('id').eq(11n)) })).toEqual([]);
      });
    });

    it('rolls back everything when the callback throws, and rethrows', async () => {
      const before = await snapshot(db);
      const boom = new Error('boom');
      await expect(
        db.transaction(async (tx) => {
          await tx.insert('things', [{ id: 11n }]);
          await tx.insert(
            'things',
            Array.from({ length: 3000 }, (_, i) => ({ id: BigInt(1000 + i) })),
          );
          await tx.update('things', where(col('id').le(5n)), { name: 'changed', meta: null });
          await tx.delete('things', where(col('id').ge(6n)));
          expect(await tx.count('things')).toBe(5);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await snapshot(db)).toEqual(before);
    });

    it('rolls back a lone insert, a lone update and a lone delete', async () => {
      const before = await snapshot(db);
      const fail = async (fn: (tx: DbSession) => Promise<unknown>) => {
        await expect(
          db.transaction(async (tx) => {
            await fn(tx);
            throw new Error('undo');
          }),
        ).rejects.toThrow('undo');
        expect(await snapshot(db)).toEqual(before);
      };
      await fail((tx) => tx.insert('things', [{ id: 12n }]));
      await fail((tx) =>
        tx.insert(
          'things',
          Array.from({ length: 500 }, (_, i) => ({ id: BigInt(500 + i) })),
        ),
      );
      await fail((tx) => tx.update('things', where(), { name: 'all' }));
      await fail((tx) => tx.delete('things', where()));
    });

    it('rolls back when a call inside the transaction is refused', async () => {
      const before = await snapshot(db);
      await expect(
        db.transaction(async (tx) => {
          await tx.delete('things', where(col('id').eq(1n)));
          await tx.insert('things', [{ id: 'not a bigint' }]);
        }),
      ).rejects.toMatchObject({ code: 'invalid_value' });
      expect(await snapshot(db)).toEqual(before);
    });

    it('serialises interleaved transactions: no lost update', async () => {
      await Promise.all([
        db.transaction((tx) => increment(tx, 'c')),
        db.transaction((tx) => increment(tx, 'c')),
      ]);
      expect(await db.select('counters', { columns: ['value'] })).toEqual([{ value: 2n }]);
      await Promise.all(Array.from({ length: 20 }, () => db.transaction((tx) => increment(tx, 'c'))));
      expect(await db.select('counters', { columns: ['value'] })).toEqual([{ value: 22n }]);
    });

    it('keeps autocommit writes and transactions from interfering', async () => {
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i++) {
        work.push(db.transaction((tx) => increment(tx, 'c')));
        work.push(db.insert('things', [{ id: BigInt(100 + i) }]));
        work.push(db.update('things', where(col('id').eq(1n)), { n: i }));
      }
      work.push(
        db
          .transaction(async (tx) => {
            await tx.insert('things', [{ id: 99n }]);
            throw new Error('discarded');
          })
          .catch(() => undefined),
      );
      await Promise.all(work);
      expect(await db.select('counters', { columns: ['value'] })).toEqual([{ value: 10n }]);
      expect(await db.count('things')).toBe(20);
      expect(await db.count('things', where(col('id').eq(99n)))).toBe(0);
    });

    it('runs concurrent calls on one transaction session safely', async () => {
      await db.transaction(async (tx) => {
        await Promise.all([
          tx.insert(
            'things',
            Array.from({ length: 30 }, (_, i) => ({ id: BigInt(100 + i) })),
          ),
          tx.insert('things', [{ id: 200n }]),
          tx.update('things', where(col('id').eq(1n)), { name: 'x' }),
          tx.select('things'),
          tx.count('things'),
        ]);
      });
      expect(await db.count('things')).toBe(41);
    });

    it('refuses nested transactions and autocommit writes inside a transaction', async () => {
      await db.transaction(async (tx) => {
        await expect(db.transaction(async () => 1)).rejects.toMatchObject({ code: 'nested_transaction' });
        await expect(db.insert('things', [{ id: 50n }])).rejects.toMatchObject({
          code: 'nested_transaction',
        });
        await expect(db.delete('things', where())).rejects.toMatchObject({ code: 'nested_transaction' });
        // Autocommit reads are allowed (they see committed data).
        expect(await db.count('things')).toBe(10);
        await tx.insert('things', [{ id: 51n }]);
      });
      expect(sortedIds(await db.select('things', { where: where(col('id').ge(50n)) }))).toEqual([51n]);
    });

    it('lets work spawned inside a transaction write once the transaction has ended', async () => {
      let spawned: Promise<void> | undefined;
      await db.transaction(async (tx) => {
        await tx.insert('things', [{ id: 60n }]);
        spawned = new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() =>
          db.insert('things', [{ id: 61n }]),
        );
      });
      await spawned;
      expect(sortedIds(await db.select('things', { where: where(col('id').ge(60n)) }))).toEqual([60n, 61n]);
    });

    it('refuses a transaction session used after its transaction ended', async () => {
      let leaked: DbSession | undefined;
      await db.transaction(async (tx) => {
        leaked = tx;
      });
      await expect((leaked as DbSession).count('things')).rejects.toMatchObject({
        code: 'transaction_closed',
      });
      await expect((leaked as DbSession).insert('things', [{ id: 70n }])).rejects.toMatchObject({
        code: 'transaction_closed',
      });
      expect(await db.count('things')).toBe(10);
    });
  });
}
