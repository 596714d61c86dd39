import type { StoreMaintenance } from '../maintenance.repo.ts';

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
  /**
   * Set when the check was stopped before the end (a time budget: the support bundle's): the
   * counts are of what was read until then, and a pass stopped mid-way may miss problems.
   */
  stopped?: { pass: 'objects' | 'flows'; segmentsChecked: number };
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

/** Progress of a pass (the CLI draws it on stderr; the support bundle counts nothing). */
export interface VerifyProgress {
  add(n: number): void;
  finish(): void;
}

export type ProgressOf = (label: string, total?: number) => VerifyProgress;

export const NO_PROGRESS: ProgressOf = () => ({ add: () => undefined, finish: () => undefined });

/** What the check reads: the whole-store scans, and the allocations awaiting their first segment. */
export interface VerifiedStore {
  maintenance: StoreMaintenance;
  store: { objects: { unusedAllocationIds(): Promise<Set<string>> } };
}
