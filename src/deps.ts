import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppDeps } from './app.ts';
import { type Clock, systemClock } from './common/clock.ts';
import { type IdGenerator, randomIds } from './common/ids.ts';
import type { Config } from './config.ts';
import type { Engine } from './db/db.types.ts';
import { createDuckDbEngine } from './db/engines/duckdb/duckdb.engine.ts';
import { TableManager } from './db/manager.ts';
import { FlowsService } from './flows/flows.service.ts';
import { API_VERSION } from './http/swagger.ts';
import { ServiceInfoService } from './service/service.service.ts';
import { SourcesService } from './sources/sources.service.ts';
import { TamsStore } from './store/store.ts';
import { storeTables } from './store/tables.ts';

export interface Runtime extends AppDeps {
  store: TamsStore;
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** Engine to use instead of the one the configuration names (tests). */
  engine?: Engine;
}

const packageVersion: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** Composition root: opens the store and builds every service once, at startup. */
export async function buildRuntime(config: Config, options: BuildOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  let engine = options.engine;
  if (!engine) {
    mkdirSync(config.TAMS_DATA_DIR, { recursive: true });
    engine = await createDuckDbEngine({ path: join(config.TAMS_DATA_DIR, 'tams.duckdb') });
  }
  const db = await TableManager.open(engine, storeTables);
  const store = TamsStore.open(db);
  return {
    config,
    store,
    service: new ServiceInfoService({
      store,
      apiVersion: API_VERSION,
      serviceVersion: packageVersion,
      defaults: { name: config.TAMS_SERVICE_NAME, description: config.TAMS_SERVICE_DESCRIPTION },
      storageBackends: () => [],
    }),
    sources: new SourcesService({ store, clock }),
    flows: new FlowsService({ store, clock, ids }),
    close: () => db.close(),
  };
}
