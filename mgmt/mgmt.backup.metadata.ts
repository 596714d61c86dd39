import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BACKUP_FORMAT,
  type BackupFile,
  FILE_LIST,
  MANIFEST,
  type Manifest,
  sha256File,
} from '../src/backup/backup.manifest.ts';
import { backupPath } from '../src/backup/backup.names.ts';
import { packageVersion } from '../src/common/package-info.ts';
import type { Runtime } from '../src/deps.ts';
import { byUrl, webhookGetDocument } from '../src/webhooks/webhooks.v8.mapper.ts';
import { exportFlow } from './mgmt.export.ts';
import { MgmtError, type MgmtIo } from './mgmt.io.ts';

/**
 * `backup <name> --metadata-only`: what the server owns, in portable form, on any engine: every
 * Flow in the export format (`flows/<id>.jsonl`, each importable with `tams-mgmt import`: its
 * Source, Profile, tags, segments and objects with where their bytes are) and the webhooks as
 * `webhooks list --json` shows them (no API key values); a manifest and files.jsonl with the
 * SHA-256 of each file, which `verify <backup>` checks. Users and tokens, deletion requests in
 * flight and the service's settings are left out (docs/operations.md, "Backups").
 */
export async function metadataBackup(
  runtime: Runtime,
  dir: string,
  name: string,
  io: MgmtIo,
): Promise<Manifest> {
  const target = backupPath(dir, name);
  if (
    await stat(target).then(
      () => true,
      () => false,
    )
  )
    throw new MgmtError(`a backup named ${name} exists already in ${dir}`);
  const started = new Date();
  await mkdir(dir, { recursive: true });
  const work = join(dir, `.${name}.partial-${randomUUID()}`);
  await mkdir(join(work, 'flows'), { recursive: true });
  try {
    const files: BackupFile[] = [];
    const add = async (path: string) => {
      const full = join(work, path);
      files.push({ path, size: (await stat(full)).size, sha256: await sha256File(full) });
    };
    const tables: Record<string, number> = { flows: 0, segments: 0, objects: 0, webhooks: 0 };
    for (const flowId of [...(await runtime.maintenance.flowIds())].sort()) {
      const path = `flows/${flowId}.jsonl`;
      const out = createWriteStream(join(work, path));
      try {
        const counts = await exportFlow(runtime, flowId, out, io);
        tables.flows = (tables.flows ?? 0) + 1;
        tables.segments = (tables.segments ?? 0) + counts.segments;
        tables.objects = (tables.objects ?? 0) + counts.objects;
      } finally {
        const closed = once(out, 'close');
        out.end();
        await closed;
      }
      await add(path);
    }
    const webhooks = (await runtime.store.webhooks.list()).sort(byUrl);
    const docs = webhooks.map((w) => ({ ...webhookGetDocument(w), api_version: w.api_version }));
    tables.webhooks = docs.length;
    await writeFile(join(work, 'webhooks.json'), `${JSON.stringify(docs, null, 2)}\n`);
    await add('webhooks.json');
    const list = `${files.map((f) => JSON.stringify(f)).join('\n')}\n`;
    await writeFile(join(work, FILE_LIST), list);
    const schema = await runtime.backups.schemaVersion();
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      name,
      server_version: packageVersion(),
      schema_version: schema,
      engine: runtime.backups.engineName,
      started: started.toISOString(),
      finished: new Date().toISOString(),
      incremental_from: null,
      writes_held_ms: 0,
      tables,
      media: {},
      not_included: [],
      metadata_only: true,
      file_list: {
        files: files.length,
        bytes: files.reduce((n, f) => n + f.size, 0),
        size: Buffer.byteLength(list),
        sha256: await sha256File(join(work, FILE_LIST)),
      },
    };
    await writeFile(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(work, target);
    return manifest;
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}
