/**
 * A test server a file's tests share, as a constant: started before the file's tests and closed
 * after them, yet returned at once, so that a file keeps it (and clients built on it, such as
 * mountClient's) in constants rather than in variables its hooks assign.
 */
import { afterAll, beforeAll } from 'vitest';
import type { TestServer } from './server.ts';

/** The server `start` makes before the file's tests; its members reach it once it runs. */
export function sharedServer(start: () => Promise<TestServer>): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(() => started?.close());
  const running = (): TestServer => {
    if (started === undefined) throw new Error('sharedServer: used before its beforeAll started it');
    return started;
  };
  return {
    get url() {
      return running().url;
    },
    get app() {
      return running().app;
    },
    get runtime() {
      return running().runtime;
    },
    get dataDir() {
      return running().dataDir;
    },
    request: (method, path, options) => running().request(method, path, options),
    get: (path, options) => running().get(path, options),
    head: (path, options) => running().head(path, options),
    put: (path, body, options) => running().put(path, body, options),
    post: (path, body, options) => running().post(path, body, options),
    delete: (path, options) => running().delete(path, options),
    close: async () => {
      await started?.close();
      started = undefined;
    },
  };
}
