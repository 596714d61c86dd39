/**
 * `node --import tsx bench/postgres.copy.ts`: bulk segment inserts on the PostgreSQL engine, the
 * engine's one `INSERT … SELECT * FROM unnest($1, …)` against `COPY … FROM STDIN`, on a throwaway
 * server, into the segments table with its declared indexes (1k, 10k and 100k rows, 5 runs each,
 * the table emptied before each). The project has no COPY client (pg-copy-streams), so COPY is
 * measured two ways that bracket one: the server's COPY of the rows from a file it reads itself
 * (no transfer) plus this process formatting them as COPY text; and psql's `\copy … FROM STDIN`
 * with its timing (psql reads the file and sends it, as a client would).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newObjectId } from '../src/common/object-ids.ts';
import type { Row } from '../src/db/db.types.ts';
import { PostgresEngine } from '../src/db/engines/postgres/postgres.engine.ts';
import { TableManager } from '../src/db/manager.ts';
import { storeTables, T } from '../src/store/tables.ts';
import { POSTGRES_BIN, startPostgres } from '../tools/postgres/postgres.server.ts';
import { flowIds, percentile, SECOND, segmentRow } from './postgres.dataset.ts';

const SIZES = [1_000, 10_000, 100_000];
const RUNS = 5;
const SCHEMA = 'bench';
const COLUMNS = storeTables.find((t) => t.name === T.segments)?.columns.map((c) => c.name) ?? [];
const log = (line: string) => process.stdout.write(`${line}\n`);

/** One value in COPY's text format: \N for null, backslash escapes for the delimiters. */
function copyValue(value: Row[string]): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  );
}

function copyText(rows: readonly Row[]): string {
  return rows.map((r) => `${COLUMNS.map((c) => copyValue(r[c])).join('\t')}\n`).join('');
}

function rowsOf(n: number): Row[] {
  const flows = flowIds({ flows: 100, perFlow: 0 });
  return Array.from({ length: n }, (_, i) =>
    segmentRow(
      flows[i % flows.length] as string,
      BigInt(Math.floor(i / flows.length)) * SECOND,
      newObjectId(),
    ),
  );
}

const server = await startPostgres();
const engine = new PostgresEngine({ url: server.url, schema: SCHEMA, poolSize: 2 });
const client = new pg.Client({ connectionString: server.url });
// Readable by the server's own user (nobody, when this process is root).
const scratch = mkdtempSync(join(tmpdir(), 'tams-copy-'));
chmodSync(scratch, 0o755);

async function main(): Promise<void> {
  try {
    await client.connect();
    await TableManager.open(engine, storeTables);
    const table = `"${SCHEMA}"."${T.segments}"`;
    const list = COLUMNS.map((c) => `"${c}"`).join(', ');
    log('| rows | unnest (ms) | COPY from a server file + formatting (ms) | psql \\copy FROM STDIN (ms) |');
    log('|---|---|---|---|');
    for (const n of SIZES) {
      const rows = rowsOf(n);
      const file = join(scratch, `rows-${n}.tsv`);
      writeFileSync(file, copyText(rows));
      chmodSync(file, 0o644);
      const unnest: number[] = [];
      const copy: number[] = [];
      const psql: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        await client.query(`TRUNCATE ${table}`);
        let t = performance.now();
        await engine.session.insert(T.segments, rows);
        unnest.push(performance.now() - t);

        await client.query(`TRUNCATE ${table}`);
        t = performance.now();
        copyText(rows);
        const formatting = performance.now() - t;
        t = performance.now();
        await client.query(`COPY ${table} (${list}) FROM '${file}'`);
        copy.push(formatting + performance.now() - t);

        await client.query(`TRUNCATE ${table}`);
        psql.push(psqlCopy(`\\copy ${table} (${list}) FROM '${file}'`));
      }
      const median = (xs: number[]) =>
        percentile(
          [...xs].sort((a, b) => a - b),
          50,
        ).toFixed(1);
      log(`| ${n.toLocaleString('en')} | ${median(unnest)} | ${median(copy)} | ${median(psql)} |`);
    }
  } finally {
    await client.end().catch(() => undefined);
    await engine.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** psql's own timing of one `\copy` (the command's round trips, not psql's start). */
function psqlCopy(command: string): number {
  const run = spawnSync(
    join(POSTGRES_BIN, 'psql'),
    [server.url, '-X', '-q', '-c', '\\timing on', '-c', command],
    {
      encoding: 'utf8',
    },
  );
  const match = /Time: ([\d.]+) ms/.exec(run.stdout);
  if (run.status !== 0 || match === null) throw new Error(`psql failed: ${run.stderr}${run.stdout}`);
  return Number(match[1]);
}

await main();
