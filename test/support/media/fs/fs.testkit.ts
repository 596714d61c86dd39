/**
 * Test support (not production code): a minimal Fastify app shaped like buildApp (the root JSON
 * parser and the TAMS error handler) serving an fs media store on a loopback port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerErrorHandling } from '../../../../src/http/errors.ts';
import { registerJson } from '../../../../src/http/json.ts';
import { registerSwagger } from '../../../../src/http/swagger.ts';
import { fsMediaRoutes } from '../../../../src/media/fs/fs.routes.ts';
import {
  createFsMediaStore,
  type FsMediaStore,
  type FsMediaStoreOptions,
} from '../../../../src/media/fs/fs.store.ts';
import type { StorageBackendDescriptor } from '../../../../src/media/media.types.ts';

export const TEST_DESCRIPTOR: StorageBackendDescriptor = {
  id: '2a9a4b6e-8c1d-4f3e-9b7a-5c6d7e8f9a0b',
  label: 'local-media',
  store_type: 'http_object_store',
  provider: 'tams-server',
  store_product: 'fs',
  default_storage: true,
};

export interface FsMediaServerOptions extends Partial<FsMediaStoreOptions> {
  logger?: FastifyServerOptions['logger'];
  /** Also register the OpenAPI document (to check the media routes stay out of it). */
  swagger?: boolean;
}

export interface FsMediaServer {
  store: FsMediaStore;
  app: FastifyInstance;
  baseUrl: string;
  root: string;
  secret: Buffer;
  close(): Promise<void>;
}

export async function startFsMediaServer(options: FsMediaServerOptions = {}): Promise<FsMediaServer> {
  const { logger = false, swagger = false, ...storeOptions } = options;
  const tempRoot = storeOptions.root ? undefined : await mkdtemp(join(tmpdir(), 'tams-media-'));
  const root = storeOptions.root ?? join(tempRoot ?? '', 'objects');
  const secret = storeOptions.secret ?? randomBytes(32);
  const store = await createFsMediaStore({ descriptor: TEST_DESCRIPTOR, ...storeOptions, root, secret });

  const app = Fastify({ logger, exposeHeadRoutes: true });
  registerJson(app);
  registerErrorHandling(app);
  if (swagger) await registerSwagger(app, { ui: false });
  await app.register(fsMediaRoutes, { store });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');

  return {
    store,
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    root,
    secret,
    close: async () => {
      await app.close();
      await store.close();
      if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
    },
  };
}
