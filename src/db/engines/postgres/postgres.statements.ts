import { createHash } from 'node:crypto';
import { DbConflictError } from '../../db.errors.ts';
import type { Queryable } from './postgres.catalog.ts';
import { POSTGRES_BACKEND } from './postgres.errors.ts';

/**
 * Distinct statement texts this process names at most: each is prepared once on each pooled
 * connection that runs it and kept there (server memory per connection), so texts past the first
 * MAX_NAMED run unnamed. The store's reads are a few dozen texts (values are parameters, `in`
 * lists one array parameter).
 */
export const MAX_NAMED = 256;

/** What a named statement runs on: a pool or one connection, taking node-postgres's query config. */
export type Submit = (config: {
  name?: string;
  text: string;
  values?: unknown[];
}) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;

/**
 * The reads' statements, prepared by name: PostgreSQL parses a named statement once per
 * connection and, where it finds a plan for any values as cheap as its custom plans (a Flow's
 * segment pages, lookups by id), plans it once too. Measured on 1M segments
 * (bench/postgres.prepared.ts), µs per read unnamed → named: segment page 640 → 446, with a
 * timerange 831 → 495, reversed 2,030 → 837, objects by 30 ids 252 → 216, guard by key 44 → 30.
 *
 * A statement prepared before another server changed the type of a column it returns fails
 * (0A000, "cached plan must not change result type"; adding columns does not do this, as no
 * statement selects `*`): its text is then named anew, prepared again and run once more outside a
 * transaction; inside one, whose statements can no longer run after an error, the failure is a
 * conflict, which the store re-runs whole.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();
  private renewals = 0;

  /** Runs `text` by `submit`, named where it may be; `inTransaction` as above. */
  async run(submit: Submit, text: string, values: unknown[] | undefined, inTransaction: boolean) {
    const name = this.nameOf(text);
    if (name === undefined) return submit({ text, values });
    try {
      return await submit({ name, text, values });
    } catch (error) {
      if (!planChanged(error)) throw error;
      const renewed = this.renew(text);
      if (inTransaction) throw new DbConflictError(POSTGRES_BACKEND, (error as Error).message);
      return submit({ name: renewed, text, values });
    }
  }

  /** A Queryable whose statements are named (reads only: see MAX_NAMED). */
  queryable(submit: Submit, inTransaction: boolean): Queryable {
    return { query: (text, values) => this.run(submit, text, values, inTransaction) };
  }

  private nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= MAX_NAMED) return known;
    const name = `tams_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }

  /** A new name for `text`: every connection prepares it again when it next runs it. */
  private renew(text: string): string {
    const name = `tams_${createHash('sha256').update(text).digest('hex').slice(0, 24)}_${++this.renewals}`;
    this.names.set(text, name);
    return name;
  }
}

function planChanged(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === '0A000' && typeof e.message === 'string' && /cached plan must not change/.test(e.message)
  );
}
