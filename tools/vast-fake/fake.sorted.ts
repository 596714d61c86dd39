/**
 * Sorted ("Elysium") tables, as far as the fake goes: it keeps none. vastdb 2.1.0 opens every
 * table below VAST 5.5 with `GET …?sorted-columns` and takes a 400 (or 500) as "not a sorted
 * table"; the Java client does the same and ignores the error ("In vast 5.4 api we assume server
 * returns an error if the table is not elysium"). VAST answers that call on a table without a
 * sorting key with 400 and a message the SDK's own tests match ("Listing sorted.*columns.*without
 * elysium.*enabled", tests/test_tables.py `test_elysium_tx`): so does the fake, for every table.
 *
 * A table created with a sorting key (`tabular-sorted-column-{i}` headers) is refused with 501:
 * its row ids would be decimal128(38,0) and its queries estimate rows first, none of which the
 * fake models; a 501 says so rather than creating an unsorted table the client believes sorted.
 */
import { badRequest, FakeVastError } from './fake.errors.ts';

type Headers = Readonly<Record<string, string | undefined>>;

/** The answer to `?sorted-columns` on `table` (`schema/table`), which exists. */
export function sortedColumnsRefusal(table: string): FakeVastError {
  return badRequest(`Listing sorted columns of table ${table} without elysium (a sorting key) enabled`);
}

export function refuseSortingKey(headers: Headers): void {
  if (Object.keys(headers).some((h) => h.startsWith('tabular-sorted-column-'))) {
    throw new FakeVastError(501, 'NotImplemented', 'the fake does not keep sorted (Elysium) tables');
  }
}
