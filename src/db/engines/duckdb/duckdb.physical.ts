import type { ColumnType } from '../../db.types.ts';

export interface PhysicalColumn {
  readonly name: string;
  /** null for a DuckDB type the contract cannot express (only ever filled with NULL by inserts). */
  readonly type: ColumnType | null;
  readonly nullable: boolean;
}

/** A table as stored, in physical column order (the order the appender expects). */
export interface PhysicalTable {
  readonly name: string;
  readonly columns: readonly PhysicalColumn[];
  readonly byName: ReadonlyMap<string, PhysicalColumn>;
}
