/**
 * Cost of fs presigning (not a test; run by hand):
 *   npx tsx src/media/fs/fs.measure.ts
 * Prints µs per presignGet / presignPut / directGetUrl / signature check, after a warm-up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { TEST_DESCRIPTOR } from './fs.harness.ts';
import { FsMediaStore } from './fs.store.ts';

const store = new FsMediaStore({ root: tmpdir(), secret: randomBytes(32), descriptor: TEST_DESCRIPTOR });
const ctx = { baseUrl: 'https://tams.example.com/tams/v7.0', expiresIn: 3600 };
const paths = Array.from({ length: 1000 }, () => {
  const id = randomUUID();
  return `${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;
});

function measure(name: string, run: (path: string) => unknown): void {
  const rounds = 200_000;
  for (let i = 0; i < 50_000; i++) run(paths[i % paths.length] ?? '');
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) run(paths[i % paths.length] ?? '');
  const micros = Number(process.hrtime.bigint() - start) / rounds / 1000;
  console.log(`${name.padEnd(14)} ${micros.toFixed(2)} µs/URL`);
}

measure('presignGet', (path) => store.presignGet(path, ctx));
measure('presignPut', (path) => store.presignPut(path, 'video/mp2t', ctx));
measure('directGetUrl', (path) => store.directGetUrl(path, ctx));
const signed = new URL(store.presignGet(paths[0] ?? '', ctx)).searchParams;
measure('verify', (path) => store.verify('GET', path, signed.get('expires'), signed.get('sig')));
