/**
 * The topology: what each engine declares of itself, as the engine factory opens it, and what a
 * store many processes share turns off of all a process may assume when it owns the store alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../../test/support/db/contract/memory.engine.ts';
import { loadConfig } from '../config.ts';
import type { Engine } from './db.types.ts';
import { engineTopology, openEngine } from './engine.factory.ts';
import { declareTopology, OWNED_TOPOLOGY, SHARED_TOPOLOGY, type Topology } from './topology.ts';

const dir = mkdtempSync(join(tmpdir(), 'tams-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a process may assume when it owns the store alone, on. */
const OWNER_SHORTCUTS = {
  ownsStore: true,
  canCacheTables: true,
  leasesNeeded: false,
  cursorsInMemory: true,
  eventSlots: false,
};

/** Its topology, as the open engine declares it; the engine closed after. */
async function declared(open: () => Promise<Engine>): Promise<Topology> {
  const engine = await open();
  try {
    return engine.topology;
  } finally {
    await engine.close();
  }
}

describe('a topology', () => {
  it('shared, turns off every shortcut of a store one process owns, whatever the engine has', () => {
    const shared = declareTopology({ ownsStore: false, localFiles: true, appendJournal: true });
    expect(shared).toEqual({
      ownsStore: false,
      canCacheTables: false,
      leasesNeeded: true,
      cursorsInMemory: false,
      eventSlots: true,
      segmentSnapshots: false,
      hasAppendJournal: false,
    });
    expect(SHARED_TOPOLOGY).toEqual(shared);
  });

  it('owned, lets a process keep tables, cursors and leases to itself; files and a journal as declared', () => {
    expect(declareTopology({ ownsStore: true })).toEqual({
      ...OWNER_SHORTCUTS,
      segmentSnapshots: false,
      hasAppendJournal: false,
    });
    expect(declareTopology({ ownsStore: true, localFiles: true, appendJournal: true })).toEqual({
      ...OWNER_SHORTCUTS,
      segmentSnapshots: true,
      hasAppendJournal: true,
    });
    expect(OWNED_TOPOLOGY).toEqual(declareTopology({ ownsStore: true }));
  });

  it('cannot be changed once declared', () => {
    expect(Object.isFrozen(SHARED_TOPOLOGY)).toBe(true);
    expect(Object.isFrozen(declareTopology({ ownsStore: true }))).toBe(true);
  });
});

describe('each engine declares its topology', () => {
  const duckdb = {
    TAMS_DB: 'duckdb',
    TAMS_DATA_DIR: dir,
    TAMS_DUCKDB_MEMORY_LIMIT: '256MB',
    TAMS_DUCKDB_THREADS: '1',
  };

  it('DuckDB in its file: owned, with snapshots beside the file and the append journal', async () => {
    const config = loadConfig(duckdb);
    const topology = await declared(() => openEngine(config));
    expect(topology).toEqual({ ...OWNER_SHORTCUTS, segmentSnapshots: true, hasAppendJournal: true });
    expect(engineTopology(config)).toEqual(topology);
  });

  it('DuckDB in memory: owned, with no files to keep anything in', async () => {
    const config = loadConfig(duckdb);
    const topology = await declared(() => openEngine(config, { memory: true }));
    expect(topology).toEqual({ ...OWNER_SHORTCUTS, segmentSnapshots: false, hasAppendJournal: false });
    expect(engineTopology(config, { memory: true })).toEqual(topology);
  });

  it('VAST: shared by the replicas (opened without a round trip, so no server is needed)', async () => {
    const config = loadConfig({
      TAMS_DB: 'vast',
      TAMS_VAST_ENDPOINTS: 'http://127.0.0.1:9',
      TAMS_VAST_ACCESS_KEY: 'access',
      TAMS_VAST_SECRET_KEY: 'secret',
      TAMS_VAST_BUCKET: 'bucket',
      TAMS_VAST_SCHEMA: 'schema',
    });
    const topology = await declared(() => openEngine(config));
    expect(topology).toEqual(SHARED_TOPOLOGY);
    expect(engineTopology(config)).toEqual(topology);
  });

  it('the memory engine (tests): owned with no files unless a test makes it act as a shared one', () => {
    expect(new MemoryEngine({ tables: new Map() }).topology).toEqual(OWNED_TOPOLOGY);
    expect(new MemoryEngine({ tables: new Map() }, { topology: SHARED_TOPOLOGY }).topology).toEqual(
      SHARED_TOPOLOGY,
    );
  });
});
