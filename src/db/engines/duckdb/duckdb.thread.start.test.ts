import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { StoreLockedError } from '../../db.errors.ts';
import { type Started, toWire } from './duckdb.protocol.ts';
import { threadStarted } from './duckdb.thread.start.ts';

// The thread's events in the orders Node may deliver them (the report and an error raised while
// the thread ends travel on different ports; both come before 'exit').
const lockedReport: Started = { kind: 'failed', error: toWire(new StoreLockedError('/d/tams.duckdb', 389)) };
const fatal = new Error('FATAL Error: Failed to create checkpoint because of error: Could not set lock');

describe('threadStarted', () => {
  it('resolves on the started report', async () => {
    const worker = new EventEmitter();
    const started = threadStarted(worker);
    worker.emit('message', { kind: 'started' } satisfies Started);
    await expect(started).resolves.toBeUndefined();
    expect(worker.listenerCount('error')).toBe(0);
  });

  it('rejects with the report when DuckDB raises after it', async () => {
    const worker = new EventEmitter();
    const started = threadStarted(worker);
    worker.emit('message', lockedReport);
    worker.emit('error', fatal);
    worker.emit('exit', 1);
    await expect(started).rejects.toBeInstanceOf(StoreLockedError);
  });

  it('rejects with the report when DuckDB raised before it (seen in CI)', async () => {
    const worker = new EventEmitter();
    const started = threadStarted(worker);
    // Would throw ERR_UNHANDLED_ERROR here if nobody listened.
    worker.emit('error', fatal);
    worker.emit('message', lockedReport);
    worker.emit('exit', 1);
    const error = await started.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect(error).toMatchObject({ location: '/d/tams.duckdb', holderPid: 389 });
  });

  it('rejects with the raised error when the thread ends without a report', async () => {
    const worker = new EventEmitter();
    const started = threadStarted(worker);
    worker.emit('error', fatal);
    worker.emit('exit', 1);
    await expect(started).rejects.toBe(fatal);
  });

  it('rejects when the thread ends with neither', async () => {
    const worker = new EventEmitter();
    const started = threadStarted(worker);
    worker.emit('exit', 7);
    await expect(started).rejects.toThrow(/exit code 7/);
  });
});
