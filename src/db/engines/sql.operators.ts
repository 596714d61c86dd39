import type { CompareOp } from '../db.types.ts';

/** The SQL operator of each ordering comparison, as DuckDB and PostgreSQL both spell it. */
export const SQL_OPERATORS: Readonly<Partial<Record<CompareOp, string>>> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};
