import { CELL_MAX_BYTES } from '../../common/cells.ts';
import { DbCellTooLargeError } from '../db.errors.ts';
import type { Row } from '../db.types.ts';
import type { TableManager } from '../manager.ts';
import { col, where } from '../predicate.ts';
import { type ContractContext, THINGS } from './contract.fixture.ts';
import { beforeEach, describe, expect, it } from './contract.harness.ts';

/** Text of exactly `bytes` bytes in UTF-8, mixing 1-, 2- and 3-byte characters. */
function textOf(bytes: number): string {
  const unit = 'aé€'; // 1 + 2 + 3 bytes
  const whole = unit.repeat(Math.floor(bytes / 6));
  return whole + 'a'.repeat(bytes - whole.length * 2);
}

/**
 * The cell limit (CELL_MAX_BYTES, VAST DataBase's documented maximum cell size), the same on
 * every engine: a text or JSON value of exactly the limit is stored and read back whole; one
 * byte more is refused before anything is written (DbCellTooLargeError, which the API answers
 * 400), by insert, update and a transaction alike, and never cut short.
 */
export function cellContract(ctx: ContractContext): void {
  describe('the cell limit', () => {
    let db: TableManager;
    beforeEach(async () => {
      db = await ctx.open([THINGS]);
    });

    it(`stores a value of ${CELL_MAX_BYTES} bytes whole, text and JSON`, async () => {
      const text = textOf(CELL_MAX_BYTES);
      expect(Buffer.byteLength(text)).toBe(CELL_MAX_BYTES);
      // JSON text of a string is the string and two quotes.
      const json = textOf(CELL_MAX_BYTES - 2);
      await db.insert('things', [{ id: 1n, name: text, meta: json }]);
      const [row] = await db.select('things', { where: where(col('id').eq(1n)), columns: ['name', 'meta'] });
      expect(row?.name === text && row?.meta === json).toBe(true);
    });

    it('refuses one byte more whole, by insert, update and in a transaction', async () => {
      const over = textOf(CELL_MAX_BYTES + 1);
      const refused = (p: Promise<unknown>) =>
        expect(p).rejects.toSatisfy(
          (e) => e instanceof DbCellTooLargeError && /column "(name|meta)"/.test(e.message),
        );
      await refused(
        db.insert('things', [
          { id: 1n, name: 'a' },
          { id: 2n, name: over },
        ]),
      );
      await refused(db.insert('things', [{ id: 3n, meta: { text: over } }]));
      expect(await db.count('things')).toBe(0);
      const row: Row = { id: 4n, name: 'kept' };
      await db.insert('things', [row]);
      await refused(db.update('things', where(col('id').eq(4n)), { name: over }));
      await refused(
        db.transaction(async (tx) => {
          await tx.insert('things', [{ id: 5n, name: 'in the transaction' }]);
          await tx.update('things', where(col('id').eq(4n)), { meta: [over] });
        }),
      );
      expect(await db.select('things', { columns: ['id', 'name'] })).toEqual([row]);
    });
  });
}
