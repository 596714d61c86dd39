import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { BackupFormatError, type Manifest } from '../src/backup/backup.manifest.ts';
import { backupDir } from '../src/backup/backup.names.ts';
import { RestoreRefused, type RestoreReport, restoreBackup } from '../src/backup/backup.restore.ts';
import { checkBackup } from '../src/backup/backup.verify.ts';
import type { Config } from '../src/config.ts';
import { loadStorageBackends } from '../src/media/media.config.ts';
import { metadataBackup } from './mgmt.backup.metadata.ts';
import { MgmtError, type MgmtIo, Progress, UsageError } from './mgmt.io.ts';
import { openRuntime } from './mgmt.open.ts';

export interface BackupOptions {
  name: string;
  incrementalFrom?: string;
  /** The running server to ask (it alone can open its store); absent: the store is opened here. */
  server?: string;
  token?: string;
  /** What the server owns in portable form (export format), on any engine: mgmt.backup.metadata.ts. */
  metadataOnly: boolean;
  json: boolean;
}

const MB = 2 ** 20;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MiB`;

/**
 * `backup <name>`: through the running server (`--server`, an admin token), which alone can open
 * its DuckDB file and takes the snapshot while it goes on taking writes; or, with no server
 * running, by opening the store here. Either way the backup is `<TAMS_BACKUP_DIR>/<name>`.
 */
export async function backupCommand(
  config: Config,
  env: Record<string, string | undefined>,
  io: MgmtIo,
  options: BackupOptions,
): Promise<number> {
  const started = performance.now();
  if (options.metadataOnly && (options.server !== undefined || options.incrementalFrom !== undefined))
    throw new UsageError(
      'backup --metadata-only opens the store itself: it takes neither --server nor --incremental-from',
    );
  const manifest =
    options.server !== undefined
      ? await throughServer(options.server, options)
      : await here(config, env, io, options);
  if (options.json) io.out(`${JSON.stringify(manifest, null, 2)}\n`);
  else
    describeBackup(manifest, io, (performance.now() - started) / 1000, options.server ?? backupDir(config));
  return 0;
}

async function here(
  config: Config,
  env: Record<string, string | undefined>,
  io: MgmtIo,
  options: BackupOptions,
): Promise<Manifest> {
  const hint =
    ', or have the running server take it: tams-mgmt backup <name> --server <its URL> with an admin token in TAMS_TOKEN';
  const runtime = await openRuntime(config, env, io, options.metadataOnly ? '' : hint);
  try {
    if (options.metadataOnly) return await metadataBackup(runtime, backupDir(config), options.name, io);
    return await runtime.backups.take({ name: options.name, incrementalFrom: options.incrementalFrom });
  } finally {
    await runtime.close();
  }
}

async function throughServer(server: string, options: BackupOptions): Promise<Manifest> {
  let url: URL;
  try {
    url = new URL('backups', server.endsWith('/') ? server : `${server}/`);
  } catch {
    throw new UsageError(`--server ${JSON.stringify(server)} is not a URL`);
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`;
  const body = JSON.stringify({
    name: options.name,
    ...(options.incrementalFrom !== undefined && { incremental_from: options.incrementalFrom }),
  });
  let response: { status: number; text: string };
  try {
    response = await post(url, headers, body);
  } catch (error) {
    throw new MgmtError(
      `could not reach ${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const { text } = response;
  if (response.status === 201) return JSON.parse(text) as Manifest;
  let summary = text;
  try {
    const parsed = JSON.parse(text) as { summary?: string };
    if (typeof parsed.summary === 'string') summary = parsed.summary;
  } catch {
    // Not a TAMS error body: shown as it came.
  }
  const why =
    response.status === 401 || response.status === 403
      ? ' (an admin token is needed: in TAMS_TOKEN, or on standard input with --token-stdin)'
      : '';
  throw new MgmtError(`the server refused the backup: ${response.status} ${summary}${why}`);
}

/**
 * POSTs `body` and reads the whole answer, with no deadline: the server answers once the backup is
 * whole, which on a large store takes longer than fetch waits for response headers (5 minutes).
 */
export function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'POST', headers, timeout: 0 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function describeBackup(manifest: Manifest, io: MgmtIo, seconds: number, where: string): void {
  if (manifest.metadata_only === true) {
    const t = manifest.tables;
    io.out(
      `Metadata backup ${manifest.name} (${where}): ${t.flows} Flows (${t.segments} segments, ${t.objects} objects) in the export format, ${t.webhooks} webhooks, in ${seconds.toFixed(1)} s; no media.\n`,
    );
    return;
  }
  const lines = [
    `Backup ${manifest.name} (${where}): ${manifest.file_list.files} files, ${mb(manifest.file_list.bytes)}, in ${seconds.toFixed(1)} s.`,
    `  snapshot: ${Object.values(manifest.tables).reduce((a, b) => a + b, 0)} rows in ${Object.keys(manifest.tables).length} tables (segments: ${manifest.tables.segments ?? 0}), schema version ${manifest.schema_version}; writes held ${manifest.writes_held_ms} ms`,
  ];
  for (const [id, c] of Object.entries(manifest.media))
    lines.push(
      `  media ${id}: ${c.objects} objects, ${mb(c.bytes)}: ${c.linked} linked, ${c.copied} copied, ${c.reused} reused from ${manifest.incremental_from ?? 'a previous backup'}, ${c.missing} without bytes`,
    );
  for (const n of manifest.not_included)
    lines.push(`  not included: ${n.objects} objects of ${n.storage_id}: ${n.reason}`);
  io.out(`${lines.join('\n')}\n`);
}

/** Where each fs backend's objects go in the restored configuration (its `root`, else TAMS_MEDIA_DIR or `media/`). */
function mediaRoots(config: Config, env: Record<string, string | undefined>): (id: string) => string {
  const fallback = config.TAMS_MEDIA_DIR !== '' ? config.TAMS_MEDIA_DIR : join(config.TAMS_DATA_DIR, 'media');
  const entries = loadStorageBackends(
    { json: config.TAMS_STORAGE_BACKENDS, file: config.TAMS_STORAGE_BACKENDS_FILE },
    env,
  );
  return (id) => {
    const entry = entries?.find((e) => e.kind === 'fs' && e.id === id);
    return entry?.kind === 'fs' && entry.root !== undefined ? entry.root : fallback;
  };
}

/** `restore <backup> --data-dir <dir>`: into an empty directory, every checksum checked first. */
export async function restoreCommand(
  config: Config,
  env: Record<string, string | undefined>,
  io: MgmtIo,
  options: { backup: string; dataDirGiven: boolean; json: boolean },
): Promise<number> {
  if (!options.dataDirGiven) throw new UsageError('restore: --data-dir <empty directory> is required');
  let report: RestoreReport;
  try {
    report = await restoreBackup(resolve(options.backup), {
      dataDir: resolve(config.TAMS_DATA_DIR),
      mediaRoot: mediaRoots(config, env),
    });
  } catch (error) {
    if (error instanceof RestoreRefused || error instanceof BackupFormatError)
      throw new MgmtError(`restore refused: ${error.message}`);
    throw error;
  }
  if (options.json) {
    io.out(`${JSON.stringify({ ...report, manifest: undefined, backup: report.manifest }, null, 2)}\n`);
    return 0;
  }
  const m = report.manifest;
  const lines = [
    `Restored backup ${m.name} (taken ${m.started} by tams-server ${m.server_version}, schema version ${m.schema_version}) into ${config.TAMS_DATA_DIR}: ${report.files} files, ${mb(report.bytes)}, every checksum checked.`,
    `  database: ${Object.keys(m.tables).length} tables, ${m.tables.segments ?? 0} segments, ${m.tables.flows ?? 0} Flows, ${m.tables.objects ?? 0} objects`,
    ...Object.entries(report.media).map(
      ([id, r]) => `  media ${id}: ${r.files} files, ${mb(r.bytes)} in ${r.root}`,
    ),
    ...m.not_included.map(
      (n) => `  not in the backup: ${n.objects} objects of ${n.storage_id} (${n.reason})`,
    ),
    'Next: tams-mgmt verify --data-dir <dir>, then start the server on it.',
  ];
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

/** `verify <backup>`: every file against the manifest's checksums; exit status 1 when one differs. */
export async function verifyBackupCommand(
  io: MgmtIo,
  options: { backup: string; json: boolean },
): Promise<number> {
  const progress = new Progress(io, 'bytes checked');
  let check: Awaited<ReturnType<typeof checkBackup>>;
  try {
    check = await checkBackup(resolve(options.backup), (bytes) => progress.add(bytes));
  } catch (error) {
    if (error instanceof BackupFormatError) throw new MgmtError(error.message);
    throw error;
  }
  progress.finish();
  const ok = check.problems.length === 0;
  if (options.json) {
    io.out(
      `${JSON.stringify({ backup: check.manifest.name, files: check.files, bytes: check.bytes, problems: check.problems }, null, 2)}\n`,
    );
  } else {
    io.out(
      `Backup ${check.manifest.name}: ${check.files} files, ${mb(check.bytes)} checked against its manifest.\n`,
    );
    for (const p of check.problems) io.out(`FAIL  ${p}\n`);
    io.out(ok ? 'Every checksum matches.\n' : `${check.problems.length} files do not match.\n`);
  }
  return ok ? 0 : 1;
}
