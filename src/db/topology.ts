/**
 * Who uses the store, and what follows from it for every layer above the engine: the one place
 * that says it. Each engine declares its topology (Engine.topology); the layers above read the
 * named capability that is their reason, never an engine's name, so that a new engine only
 * declares what it is (in the manner of Kysely's `supportsMultipleConnections`).
 *
 * The capabilities other than `ownsStore` follow from who uses the store: all that a process may
 * assume when no other can open the store (the embedded DuckDB file, a database in memory) is off
 * when many share it (replicas on VAST).
 */
export interface Topology {
  /**
   * One process owns the store: no other can open it meanwhile. False: many processes (replicas)
   * use it at once.
   */
  readonly ownsStore: boolean;
  /**
   * Copies of tables kept in memory stay true until this process changes them: the store cache
   * (Flows, segment timelines and their indexes, unused allocations, the Flow states written
   * behind) and credentials, cached until a change rather than for TAMS_AUTH_CACHE_SECONDS.
   */
  readonly canCacheTables: boolean;
  /**
   * Background work is claimed with lease rows that other processes contend for. Without it, a
   * lease found at start is a killed predecessor's, freed or taken over at once instead of
   * waited for, and the outbox followers write none with their batches.
   */
  readonly leasesNeeded: boolean;
  /**
   * An outbox follower may keep its cursor in memory between writes (store/followers/follower.cursor.ts):
   * after a crash it reads those events again. Without it the cursor is written with every
   * batch, under the batch's lease, for whichever process takes the follower over.
   */
  readonly cursorsInMemory: boolean;
  /**
   * Other processes number events too: this one numbers in a slot of its own
   * (store/outbox/events.slots.ts), kept from holding readers back by a worker of its own.
   */
  readonly eventSlots: boolean;
  /**
   * The segment index keeps snapshots in files beside the store's own, loaded instead of the
   * rows: true of them only while the store's files are this process's alone and outlive it.
   */
  readonly segmentSnapshots: boolean;
  /**
   * Appends commit through a journal file of the engine's own, which reads of this process take
   * first and `tams-mgmt journal recover` repairs.
   */
  readonly hasAppendJournal: boolean;
}

/** What an engine declares of itself; declareTopology derives the rest. */
export interface TopologyDeclaration {
  /** One process owns the store (no other can open it meanwhile); false: many share it. */
  readonly ownsStore: boolean;
  /** The store is files on this machine's disk that outlive the process (not memory, not a server). */
  readonly localFiles?: boolean;
  /** Appends commit through a journal file of the engine's own (default none). */
  readonly appendJournal?: boolean;
}

/** The topology an engine's declaration amounts to: sharing turns off every one-owner shortcut. */
export function declareTopology(declared: TopologyDeclaration): Topology {
  const owned = declared.ownsStore;
  return Object.freeze({
    ownsStore: owned,
    canCacheTables: owned,
    leasesNeeded: !owned,
    cursorsInMemory: owned,
    eventSlots: !owned,
    segmentSnapshots: owned && declared.localFiles === true,
    // Its records are visible to other processes only once applied: it needs the one owner.
    hasAppendJournal: owned && declared.appendJournal === true,
  });
}

/** Many processes share the store (what a process assumes when it cannot tell: the cautious side). */
export const SHARED_TOPOLOGY: Topology = declareTopology({ ownsStore: false });

/** One process owns a store with no files of its own (a database in memory). */
export const OWNED_TOPOLOGY: Topology = declareTopology({ ownsStore: true });
