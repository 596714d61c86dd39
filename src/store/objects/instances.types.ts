/**
 * Object instances (TAMS 8.2, ADR 0038): the places an object's bytes can be read from besides
 * the one it was uploaded to (the `objects` row's storage, copied onto its segments). A
 * controlled instance is a copy this server makes on another of its storage backends; an
 * uncontrolled one is a URL a client registered, under a label (ADR 0042; unlabelled only for
 * URLs that came from 7.0 segment registrations).
 */

/** A controlled copy's progress: advertised in `get_urls` only once `ready`. */
export type InstanceState = 'ready' | 'copying' | 'failed';

export interface InstanceRecord {
  object_id: string;
  /** A copy on one of this server's backends (storage_id, storage_path); else a client's URL. */
  controlled: boolean;
  /** Uncontrolled: the URL. */
  url?: string;
  /** Uncontrolled: the client's label (none for URLs registered through 7.0 without one). */
  label?: string;
  /** Controlled: the backend and key of the copy. */
  storage_id?: string;
  storage_path?: string;
  state: InstanceState;
  created: Date;
  /** Order among the instances of one object written by one request (`get_urls` order). */
  pos: number;
  /** Controlled copies: attempts made, when the next is due, and the last failure. */
  attempts?: number;
  next_attempt?: Date;
  error?: string;
  /** Controlled copies being made: the process making it, until when (copy worker). */
  lease_owner?: string;
  lease_until?: Date;
}

/** Where a controlled instance's bytes are. */
export interface InstanceLocation {
  id: string;
  path: string;
}

/**
 * The key of an instance within its object: the backend of a controlled copy, the label and URL
 * of a client's (one object may have the same URL under two labels, as 7.0 let clients write).
 */
export function instanceKey(
  i: Pick<InstanceRecord, 'object_id' | 'controlled' | 'storage_id' | 'label' | 'url'>,
) {
  return i.controlled
    ? `${i.object_id}\ns\n${i.storage_id ?? ''}`
    : `${i.object_id}\nu\n${i.label ?? ''}\n${i.url ?? ''}`;
}

/** Instances in `get_urls` order: by when they were written, then as written. */
export function byWritten(a: InstanceRecord, b: InstanceRecord): number {
  return a.created.getTime() - b.created.getTime() || a.pos - b.pos;
}
