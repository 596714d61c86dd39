import { randomInt } from 'node:crypto';
import type { DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { T } from './tables.ts';

/**
 * Guard rows: how replicas on one database keep two transactions from both doing what only one
 * may (create the same Flow, register the same webhook twice), with neither unique keys nor locks
 * to lean on. The database refuses the second of two concurrent commits that changed one row
 * (first committer wins; docs/replicas.md), and the store runs a refused transaction again
 * on a fresh snapshot (TamsStore.transaction), where it sees the first one's rows. So a transaction
 * about to create something claims its name first: it updates the guard row of the name's stripe,
 * and of two transactions creating the same name one commits and the other, run again, finds it.
 *
 * Names are hashed onto GUARD_STRIPES rows that exist before any claim (a claim is an update: an
 * insert would conflict with nothing). Two different names on one stripe make a needless conflict
 * now and then, which costs a rerun and nothing else.
 *
 * Every process makes sure the rows exist before it serves (ensureGuardRows), inserting those it
 * does not find, so replicas first started together may each add a row for one key; a claim
 * updates every row of its key. That is enough: a transaction of replica X sees X's rows and one
 * of replica Y sees Y's; had neither seen the other's, each would have begun before the other's
 * rows were committed, yet each began after its own were, which cannot both hold. So any two
 * claims of one key share a row.
 */
export const GUARD_STRIPES = 1024;

const stripeKey = (n: number) => `stripe:${n.toString().padStart(4, '0')}`;
/** The guard row of a background job's lease (leases.repo.ts). */
export const leaseKey = (job: string) => `lease:${job}`;

/** FNV-1a (32 bits): the same stripe for a name in every process and every version. */
function stripeOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % GUARD_STRIPES;
}

/** Keys of every guard row the store expects: the stripes, and a lease per job in `leases`. */
export function guardKeys(leases: readonly string[]): string[] {
  return [...Array.from({ length: GUARD_STRIPES }, (_, n) => stripeKey(n)), ...leases.map(leaseKey)];
}

/** Adds the guard rows this database lacks (before the process serves; see GuardsRepo). */
export async function ensureGuardRows(db: DbSession, leases: readonly string[] = []): Promise<number> {
  const present = new Set<string>();
  await db.scan(T.guards, { columns: ['key'] }, async (rows) => {
    for (const row of rows) present.add(row.key as string);
  });
  const missing: Row[] = guardKeys(leases)
    .filter((key) => !present.has(key))
    .map((key) => ({ key, stamp: 0n, owner: null, until: null }));
  if (missing.length > 0) await db.insert(T.guards, missing);
  return missing.length;
}

export class GuardsRepo {
  constructor(private readonly db: DbSession) {}

  /**
   * Claims `names` for the rest of the calling transaction: a concurrent transaction claiming one
   * of them (or one on the same stripe) and committing first makes this one's commit fail as a
   * conflict, and the other way round. Names are namespaced by the caller (`flow:<id>`).
   */
  async claim(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const keys = [...new Set(names.map((n) => stripeKey(stripeOf(n))))];
    const changed = await this.db.update(T.guards, and(col('key').in(keys)), {
      stamp: BigInt(randomInt(2 ** 47)),
    });
    // Fewer rows than keys: a store opened without ensureGuardRows, where a claim would guard nothing.
    if (changed < keys.length) throw new Error(`guard rows missing (${changed} of ${keys.length} found)`);
  }
}
