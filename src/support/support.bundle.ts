import { embeddedRelease } from '../db/engine.factory.ts';
import { and, col } from '../db/predicate.ts';
import { T } from '../store/tables.ts';
import { PROBLEMS } from '../store/verify/verify.report.ts';
import { verifyStore } from '../store/verify/verify.store.ts';
import { byUrl, webhookGetDocument } from '../webhooks/webhooks.v8.mapper.ts';
import { readme } from './support.readme.ts';
import { Redactor } from './support.redact.ts';
import { configSecrets } from './support.secrets.ts';
import { effectiveSettings } from './support.settings.ts';
import { followersAndLeases, STATE_ROWS } from './support.state.ts';
import { type ArchiveFile, tarGz } from './support.tar.ts';
import type { Bundle, BundleBudgets, BundlePart, BundleSources, SupportRuntime } from './support.types.ts';
import { versions } from './support.versions.ts';

export const DEFAULT_BUDGETS: BundleBudgets = { partMs: 60_000, verifyMs: 60_000 };

class PartError extends Error {}

async function bounded<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PartError(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

const json = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * Makes the support bundle: each part in turn, bounded in time, a part that fails written as an
 * error note in its file (the bundle is made whatever fails); every file, the README included,
 * through the redactor (the configuration's secrets by value, and the shapes of credentials);
 * one .tar.gz with a folder of files and a README saying what each is.
 */
export type { Bundle, BundleBudgets, BundlePart, BundleSources, SupportRuntime };

export async function makeBundle(sources: BundleSources): Promise<Bundle> {
  const { config, env, runtime, now } = sources;
  const budgets = sources.budgets ?? DEFAULT_BUDGETS;
  const files: { part: BundlePart; text: string }[] = [];
  const needRuntime = (): SupportRuntime => {
    if (runtime) return runtime;
    throw new PartError(sources.runtimeMissing ?? 'the store is not open');
  };
  const add = async (file: string, what: string, make: () => Promise<string>) => {
    const part: BundlePart = { file, what };
    let text: string;
    try {
      text = await bounded(make, budgets.partMs);
    } catch (error) {
      part.error = error instanceof Error ? error.message : String(error);
      text = file.endsWith('.json') ? json({ error: part.error }) : `error: ${part.error}\n`;
    }
    files.push({ part, text });
  };

  let database: Record<string, unknown> | undefined;
  await add(
    'database.json',
    '`tams-mgmt db check`: where the database is, whether it answers (round trips), its release, every table of its namespace with rows and size, the schema version and migrations pending.',
    async () => {
      database = await sources.database();
      return json(database);
    },
  );
  await add(
    'versions.json',
    'Versions: tams-server, Node.js, the engine (DuckDB library, or the PostgreSQL / VAST server as it reports itself), the key libraries (from their package.json), the operating system.',
    async () => {
      const reported = database?.server_version;
      const release = embeddedRelease(config) ?? (typeof reported === 'string' ? reported : null);
      return json(versions({ name: config.TAMS_DB, release }));
    },
  );
  await add(
    'config.json',
    'The effective configuration: every TAMS_* setting as parsed, secrets redacted; which the environment set; unknown TAMS_* variables; the storage backends without their credentials.',
    async () => json(effectiveSettings(config, env)),
  );
  await add(
    'tables.json',
    '`tams-mgmt tables`: the tables of the store with their rows and estimated sizes.',
    async () => json(await needRuntime().maintenance.tableStats()),
  );
  await add(
    'verify.json',
    `\`tams-mgmt verify\`: the integrity check (segments without objects, reference counts, overlaps, ...), at most ${budgets.verifyMs / 1000} s of reading: past it the report is partial (\`stopped\`).`,
    async () => {
      const started = performance.now();
      const report = await verifyStore(needRuntime(), { signal: AbortSignal.timeout(budgets.verifyMs) });
      const problems = PROBLEMS.reduce((n, p) => n + report[p].count, 0);
      const seconds = Math.round(performance.now() - started) / 1000;
      return json({
        ...report,
        problems,
        complete: report.stopped === undefined,
        seconds,
        budget_seconds: budgets.verifyMs / 1000,
      });
    },
  );
  await add(
    'readiness.json',
    "`/ready`'s checks (store, database server, disk, each media backend) with the reason of each failure.",
    async () => json(await needRuntime().readiness.check()),
  );
  await add(
    'metrics.txt',
    'A snapshot of `/metrics` (Prometheus text) of the server that made the bundle.',
    async () => {
      if (sources.mode === 'stopped')
        throw new PartError(
          'no running server: the metrics are those of a running process (take the bundle with --server)',
        );
      return needRuntime().metrics.exposition();
    },
  );
  await add(
    'followers.json',
    `Followers and leases: each outbox follower's position against the outbox head, webhook deliveries (cursor, retries, lease), job leases, deletion requests running, controlled copies, the media garbage queue, event slots, the migration lease (lists of at most ${STATE_ROWS} rows).`,
    async () => {
      const r = needRuntime();
      return json(
        await followersAndLeases({ db: r.db, followers: () => r.features.followerPositions(), now }),
      );
    },
  );
  const apiKeys: string[] = [];
  await add(
    'webhooks.json',
    'The webhooks as `tams-mgmt webhooks list --json` shows them (never their API key values).',
    async () => {
      const webhooks = (await needRuntime().store.webhooks.list()).sort(byUrl);
      for (const w of webhooks) if (w.api_key_value) apiKeys.push(w.api_key_value);
      return json(webhooks.map((w) => ({ ...webhookGetDocument(w), api_version: w.api_version })));
    },
  );
  const { logs } = sources;
  await add('logs.txt', 'The last log lines (pino JSON), redacted.', async () => {
    if ('missing' in logs) throw new PartError(logs.missing);
    const lines = await logs.lines();
    return `# ${lines.length} lines from ${logs.source}\n${lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('')}`;
  });

  const secrets = [...configSecrets(config, env), ...apiKeys, ...(await storedSecrets(runtime))];
  const redactor = new Redactor(secrets);
  const folder = `tams-support-${stamp(now)}`;
  const parts = files.map((f) => f.part);
  const archived: ArchiveFile[] = [
    { path: `${folder}/README.txt`, content: redactor.text(readme({ sources, parts, redactor, budgets })) },
    ...files.map((f) => ({ path: `${folder}/${f.part.file}`, content: redactor.text(f.text) })),
  ];
  return { archive: tarGz(archived, now), folder, parts };
}

/** Secrets the store keeps itself: the embedded media store's URL-signing key, when generated. */
async function storedSecrets(runtime: SupportRuntime | undefined): Promise<string[]> {
  if (!runtime) return [];
  try {
    const rows = await runtime.db.select(T.settings, {
      where: and(col('key').eq('media.fs.secret')),
      columns: ['value'],
    });
    return rows.flatMap((r) => (typeof r.value === 'string' ? [r.value, ...parsedString(r.value)] : []));
  } catch {
    return [];
  }
}

function parsedString(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? [value] : [];
  } catch {
    return [];
  }
}
