import type { EventEmitter } from 'node:events';
import { DbError } from '../../db.errors.ts';
import type { JournalReport } from '../../db.journal.ts';
import { fromWire, type Started } from './duckdb.protocol.ts';

/**
 * Waits for the DuckDB thread's first report: resolves when it opened the database (with what it
 * found in its journal), rejects with the reason it gives when it could not.
 *
 * A thread that could not open reports why and ends, and while it ends DuckDB may also raise on
 * its own (giving up the half-opened file: "FATAL Error: Failed to create checkpoint…"), which
 * reaches the parent as an 'error' event. The parent hears the two in either order (the report
 * travels on the public port, the error on Node's internal one), but hears both before 'exit':
 * Node drains the thread's ports before it emits 'exit'. So the report decides, and an error
 * raised without one is the answer only once the thread has ended. Errors after the report are
 * not the caller's: they are swallowed, not left to crash the process as unhandled 'error' events.
 */
export function threadStarted(worker: EventEmitter): Promise<JournalReport | undefined> {
  return new Promise<JournalReport | undefined>((resolve, reject) => {
    let raised: unknown;
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const failed = (error: unknown): void => {
      done();
      worker.on('error', ignore);
      reject(error);
    };
    const onMessage = (message: Started): void => {
      if (message.kind === 'started') {
        done();
        resolve(message.journal);
      } else failed(fromWire(message.error));
    };
    const onError = (error: unknown): void => {
      raised ??= error;
    };
    const onExit = (code: number): void => {
      failed(
        raised ??
          new DbError('closed', `the DuckDB thread ended (exit code ${code}) before it opened the database`),
      );
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function ignore(): void {}
