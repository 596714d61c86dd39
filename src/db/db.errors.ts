/** Why a db/ call was refused; lets callers map failures without parsing messages. */
export type DbErrorCode =
  | 'unknown_table'
  | 'unknown_column'
  | 'invalid_value'
  | 'invalid_predicate'
  | 'invalid_definition'
  | 'schema_mismatch'
  | 'nested_transaction'
  | 'transaction_closed'
  | 'closed'
  /** The store has migrations this code does not know: a newer version wrote it. */
  | 'schema_too_new'
  /** Another process took the migration lease over (this one held it past its term). */
  | 'lease_lost';

/** An error raised by the table manager or an engine for a caller mistake or a refused state. */
export class DbError extends Error {
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string) {
    super(message);
    this.name = 'DbError';
    this.code = code;
  }
}
