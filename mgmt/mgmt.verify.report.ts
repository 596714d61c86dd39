/** What `verify` finds, problem by problem. */

/** Examples kept per problem (the counts are always complete). */
export const EXAMPLES = 20;

export interface Finding {
  count: number;
  examples: string[];
}

export interface VerifyReport {
  segments: number;
  objects: number;
  /** Segments whose object has no row in `objects`. */
  segmentsWithoutObjects: Finding;
  /** Objects used by no segment (unused allocations excepted: they await their first segment). */
  objectsWithoutSegments: Finding;
  /** object_refs counts that differ from the segments (missing and stray rows included). */
  referenceMismatches: Finding;
  /** Segments of one Flow whose timeranges overlap. */
  overlappingSegments: Finding;
  /** Segments whose Flow has no row. */
  segmentsOfMissingFlows: Finding;
}

export const PROBLEMS = [
  'segmentsWithoutObjects',
  'objectsWithoutSegments',
  'referenceMismatches',
  'overlappingSegments',
  'segmentsOfMissingFlows',
] as const;

export function finding(): Finding {
  return { count: 0, examples: [] };
}

export function note(f: Finding, example: string, n = 1): void {
  f.count += n;
  if (f.examples.length < EXAMPLES) f.examples.push(example);
}
