// Entry of a worker thread running TypeScript sources (the embedding model's): through tsx, as
// the main thread's are (a worker does not inherit the main thread's --import hooks). Compiled
// (dist/), workers start from their JavaScript module directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
