/**
 * Probes of the cluster's transactions: what the replicas' design (docs/replicas.md)
 * assumes of them, and the limits the engine lives within (how long an idle transaction lasts:
 * vast.probes.idle.ts; how many may be open at once).
 */
import type { TableDef } from '../../src/db/db.types.ts';
import { TableManager } from '../../src/db/manager.ts';
import { col, where } from '../../src/db/predicate.ts';
import { type Facts, outcome, ProbeFailure, type ProbeOptions, statusOf } from './vast.probe.ts';
import { idleCheck } from './vast.probes.idle.ts';
import type { CheckContext, KitRunner } from './vast.runner.ts';
import type { Scratch } from './vast.scratch.ts';

const T: TableDef = {
  name: 'kit_rows',
  columns: [
    { name: 'key', type: 'string', nullable: false },
    { name: 'stamp', type: 'int64' },
  ],
};

const X = where(col('key').eq('x'));

/** Two managers on one scratch schema (two replicas), with row x at `stamp` 0. */
async function two(scratch: Scratch, name: string): Promise<[TableManager, TableManager]> {
  const a = await TableManager.open(scratch.engine(name), [T]);
  const b = await TableManager.open(scratch.engine(name), [T]);
  await a.insert(T.name, [{ key: 'x', stamp: 0n }]);
  return [a, b];
}

const stampOf = async (db: Pick<TableManager, 'select'>) => (await db.select(T.name, { where: X }))[0]?.stamp;

async function snapshot(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const [a, b] = await two(scratch, 'snapshot');
  try {
    let before: unknown;
    let after: unknown;
    await a.transaction(async (tx) => {
      before = await stampOf(tx);
      await b.update(T.name, X, { stamp: 1n });
      after = await stampOf(tx);
    });
    ctx.note(`a transaction read stamp ${before}, another committed 1, the first read again: ${after}`);
    if (after !== 0n)
      throw new ProbeFailure(
        `the open transaction saw the other's commit (${after}): not snapshot isolation`,
      );
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/**
 * Of two transactions that update row x, B writes first and commits last: the design expects A's
 * update and commit to pass and B's commit to be refused with a 409, applying nothing.
 */
async function firstCommitterWins(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const [a, b] = await two(scratch, 'conflict');
  try {
    let bWrote!: () => void;
    const bWritten = new Promise<void>((resolve) => {
      bWrote = resolve;
    });
    let aDone!: () => void;
    const aFinished = new Promise<void>((resolve) => {
      aDone = resolve;
    });
    let bReachedCommit = false;
    const late = outcome(
      b.transaction(async (tx) => {
        await tx.update(T.name, X, { stamp: 2n });
        bWrote();
        await aFinished;
        bReachedCommit = true;
      }),
    );
    const bFirst = await Promise.race([bWritten.then(() => undefined), late]);
    if (bFirst !== undefined) throw new ProbeFailure(`B's update was refused before A began: ${bFirst.text}`);
    let aWrote = false;
    const first = await outcome(
      a.transaction(async (tx) => {
        await tx.update(T.name, X, { stamp: 1n });
        aWrote = true;
      }),
    );
    aDone();
    const second = await late;
    const final = await stampOf(a);
    ctx.note(
      `A (updated second, committed first): ${first.ok ? 'committed' : `refused ${aWrote ? 'at commit' : 'at its update'}: ${first.text}`}`,
    );
    ctx.note(
      `B (updated first, committed last): ${second.ok ? 'committed' : `refused ${bReachedCommit ? 'at commit' : 'before its commit'}: ${second.text}`}`,
    );
    ctx.note(`row x afterwards: ${final}`);
    if (!first.ok || second.ok || !bReachedCommit || final !== 1n)
      throw new ProbeFailure('expected A committed, B refused at its commit, x = 1');
    if (statusOf(second.ok ? undefined : second.error) !== 409)
      throw new ProbeFailure(`B's commit was refused, but not with a 409: ${second.text}`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

async function cap(scratch: Scratch, max: number, ctx: CheckContext): Promise<void> {
  const open: bigint[] = [];
  try {
    for (let i = 0; i < max; i++) {
      const begun = await outcome(scratch.begin());
      if (!begun.ok) {
        ctx.note(`${open.length} transactions open; the next begin was refused: ${begun.text}`);
        throw new ProbeFailure(`only ${open.length} transactions could be open at once`);
      }
      open.push(begun.value);
    }
    ctx.note(`${open.length} transactions open at once, none refused (not probed further)`);
  } finally {
    for (let i = 0; i < open.length; i += 16)
      await Promise.all(open.slice(i, i + 16).map((txid) => scratch.rollback(txid).catch(() => undefined)));
  }
}

export function txProbes(runner: KitRunner, scratch: Scratch, options: ProbeOptions, _facts: Facts): void {
  runner.describe('transactions', () => {
    runner.test('snapshot isolation: an open transaction does not see a later commit', (ctx) =>
      snapshot(scratch, ctx),
    );
    runner.test('first committer wins on a row; the other is refused at its commit with a 409', (ctx) =>
      firstCommitterWins(scratch, ctx),
    );
    idleCheck(runner, scratch, options);
    runner.test(
      `${options.txCap} transactions open at once`,
      options.txCap > 0 ? (ctx) => cap(scratch, options.txCap, ctx) : undefined,
    );
  });
}
