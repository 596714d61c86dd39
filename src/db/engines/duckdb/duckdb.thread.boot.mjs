// Entry of the DuckDB engine's worker thread: the sources are TypeScript, run through tsx as the
// main thread's are (a worker does not inherit the main thread's --import hooks).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
