/**
 * Ingest for the backup tests: a Flow fed by single and bulk segment POSTs, each segment's object
 * allocated and uploaded (random bytes, their SHA-256 kept) before its segment is registered.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupFile, Manifest } from '../../src/backup/backup.manifest.ts';
import type { HttpClient } from '../helpers/server.ts';
import { allocate, secs, upload } from '../segments/helpers.ts';

export interface Acked {
  object_id: string;
  timerange: string;
  sha256: string;
  /** performance.now() when the POST was sent, and when its 201 arrived. */
  sent: number;
  acked: number;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Registers segments of `flowId` until `stop()` says so: one at a time (`batch` 1) or `batch` in
 * one POST, at `slot` seconds onwards (each writer its own stretch of the timeline).
 */
export async function ingest(
  server: HttpClient,
  flowId: string,
  options: { batch: number; slot: number; stop: () => boolean; acked: Acked[]; rounds?: number },
): Promise<void> {
  let second = options.slot;
  for (let round = 0; !options.stop() && (options.rounds === undefined || round < options.rounds); round++) {
    const objects = await allocate(server, flowId, { limit: options.batch });
    const segments = [];
    for (const object of objects) {
      const bytes = randomBytes(512 + Math.floor(Math.random() * 1024));
      await upload(object, bytes);
      segments.push({
        object_id: object.object_id,
        timerange: secs(second, second + 1),
        sha256: sha256(bytes),
      });
      second++;
    }
    const sent = performance.now();
    const body = segments.map(({ object_id, timerange }) => ({ object_id, timerange }));
    const res = await server.post(`/flows/${flowId}/segments`, options.batch === 1 ? body[0] : body);
    if (res.status !== 201) throw new Error(`POST segments: ${res.status} ${res.text}`);
    const acked = performance.now();
    for (const s of segments) options.acked.push({ ...s, sent, acked });
  }
}

export function readFiles(dir: string): BackupFile[] {
  return readFileSync(join(dir, 'files.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as BackupFile);
}

export function readManifestFile(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}
