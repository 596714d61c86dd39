import type { ObjectTimes } from './object-times.ts';

export interface ObjectRecord {
  id: string;
  /** Backend holding the bytes; undefined for external objects (known only by client URLs). */
  storage_id?: string;
  /** Key within the backend, decided at allocation; URLs are generated from it on demand. */
  storage_path?: string;
  /** The Flow whose /storage call allocated it. */
  allocated_for?: string;
  created: Date;
  /** Whether a segment has used it: false for objects allocated and not yet registered. */
  registered: boolean;
  /** What its first segment set (object-times.ts); undefined before. */
  times?: ObjectTimes;
  /**
   * Registered as an initialisation segment (the `init_object_id` of segments' objects, TAMS
   * 8.2 ADR 0045): it is never a media object, and has no times.
   */
  init?: boolean;
}

/**
 * Where objects being released were probably allocated: for the Flow whose segments went.
 * `whole`: most of that Flow's segments went, so most of its objects are likely among them.
 */
export interface ReleaseHint {
  flowId: string;
  whole: boolean;
}

/**
 * Objects found for release. `allOf`: a Flow whose objects are all among them but for `keep`
 * (those still in use, or allocated and unused), fewer than they: all are deleted by the Flow
 * alone and those kept written again.
 */
export interface ReleasedObjects {
  objects: ObjectRecord[];
  allOf?: { flowId: string; keep: ObjectRecord[] };
}

export type ObjectLocation = Pick<ObjectRecord, 'storage_id' | 'storage_path' | 'allocated_for'>;

export interface AllocationState {
  /** Objects allocated and never registered. */
  unregistered: ObjectRecord[];
  /** Ids of allocation rows whose objects are in use. */
  used: string[];
}

/** An object as used by a Flow. */
export interface ObjectRef {
  objectId: string;
  flowId: string;
}

/**
 * New segment references of a Flow to an object; `first` marks the object's first use ever, and
 * `times` what that use set (kept on the first reference row: object-times.ts).
 */
export interface NewRefs extends ObjectRef {
  segments: number;
  first?: boolean;
  times?: ObjectTimes;
  /** The object is the init object of these segments' objects (every row of it says so). */
  init?: boolean;
}

export interface AllocationWork {
  /** Allocations whose objects are now in use: their rows can go. */
  used: string[];
  /** Objects allocated before the cutoff and still unused. */
  abandoned: string[];
  /** Whether more work follows at once. */
  more: boolean;
}
