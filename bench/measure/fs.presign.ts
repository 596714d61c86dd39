/**
 * Cost of fs presigning (not a test; run by hand):
 *   node --import tsx bench/measure/fs.presign.ts
 * Prints µs per presignGet / presignPut / directGetUrl / signature check, and per URL of a page
 * signed at once (presignGets of 100 objects of one Flow), after a warm-up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { FsMediaStore } from '../../src/media/fs/fs.store.ts';
import type { StorageBackendDescriptor } from '../../src/media/media.types.ts';

const descriptor: StorageBackendDescriptor = {
  id: randomUUID(),
  label: 'local-media',
  store_type: 'http_object_store',
  provider: 'tams-server',
  store_product: 'fs',
  default_storage: true,
};
const store = new FsMediaStore({ root: tmpdir(), secret: randomBytes(32), descriptor });
const ctx = { baseUrl: 'https://tams.example.com/tams/v7.0', expiresIn: 3600 };
// Paths as storage allocation makes them: <flow>/<object>, 100 objects per Flow.
const flows = Array.from({ length: 10 }, () => randomUUID());
const paths = Array.from({ length: 1000 }, (_, i) => `${flows[i % flows.length]}/${randomUUID()}`);
const pages = flows.map((flow) => paths.filter((p) => p.startsWith(flow)));

function measure(name: string, run: (path: string) => unknown): void {
  const rounds = 200_000;
  for (let i = 0; i < 50_000; i++) run(paths[i % paths.length] ?? '');
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) run(paths[i % paths.length] ?? '');
  const micros = Number(process.hrtime.bigint() - start) / rounds / 1000;
  console.log(`${name.padEnd(14)} ${micros.toFixed(2)} µs/URL`);
}

function measurePages(): void {
  const rounds = 5_000;
  for (let i = 0; i < 1_000; i++) store.presignGets(pages[i % pages.length] ?? [], ctx);
  const start = process.hrtime.bigint();
  let urls = 0;
  for (let i = 0; i < rounds; i++) urls += store.presignGets(pages[i % pages.length] ?? [], ctx).length;
  const micros = Number(process.hrtime.bigint() - start) / urls / 1000;
  console.log(`${'presignGets'.padEnd(14)} ${micros.toFixed(2)} µs/URL (pages of 100 objects of one Flow)`);
}

measure('presignGet', (path) => store.presignGet(path, ctx));
measurePages();
measure('presignPut', (path) => store.presignPut(path, 'video/mp2t', ctx));
measure('directGetUrl', (path) => store.directGetUrl(path, ctx));
const signed = new URL(store.presignGet(paths[0] ?? '', ctx)).searchParams;
measure('verify', (path) => store.verify('GET', path, signed.get('expires'), signed.get('sig')));
