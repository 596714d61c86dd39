/**
 * `node --import tsx bench/postgres.copy.ts [--sizes 1,10,100,1000,10000,100000] [--tx] [--delay MS]`: bulk
 * segment inserts on the PostgreSQL engine both ways it has, the one `INSERT … SELECT * FROM
 * unnest($1, …)` and `COPY … FROM STDIN` (pg-copy-streams), on a throwaway server, into the
 * segments table with its declared indexes. Two engines on the server, one sending every insert
 * by unnest and one every insert by COPY (copyFromRows), take turns call by call, so that the
 * machine's load falls on both alike (in blocks of calls). Per size: the median time of one insert call, and the CPU
 * of this process and of the database (the server's whole tree of processes) per row. Rows
 * go in autocommit, or inside a transaction each with `--tx` (as the store's bulk POST writes).
 * The table is emptied between sizes. `--delay MS` puts a proxy between the engines and the
 * server that holds every chunk MS ms each way, as a network would. The engine's threshold (COPY_FROM_ROWS) comes from these
 * figures.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { newObjectId } from '../src/common/object-ids.ts';
import type { Row } from '../src/db/db.types.ts';
import { PostgresEngine } from '../src/db/engines/postgres/postgres.engine.ts';
import { TableManager } from '../src/db/manager.ts';
import { where } from '../src/db/predicate.ts';
import { storeTables, T } from '../src/store/tables.ts';
import { startPostgres } from '../tools/postgres/postgres.server.ts';
import { treeCpuMs } from './bench.cpu.ts';
import { flowIds, percentile, SECOND, segmentRow } from './postgres.dataset.ts';

const argv = process.argv.slice(2);
const sizesAt = argv.indexOf('--sizes');
const SIZES = (sizesAt >= 0 ? (argv[sizesAt + 1] ?? '') : '1,10,100,1000,10000,100000')
  .split(',')
  .map(Number);
const IN_TX = argv.includes('--tx');
const delayAt = argv.indexOf('--delay');
/** Milliseconds each way added by a proxy between the engines and the server (0: none). */
const DELAY_MS = delayAt >= 0 ? Number(argv[delayAt + 1]) : 0;
/** Rows written per size and way (at least 5 calls): small calls repeat until they add up. */
const ROWS_PER_SIZE = DELAY_MS > 0 ? 2_000 : 20_000;
const MIN_CALLS = 5;
/** Turns each way takes per size. */
const BLOCKS = 5;
const SCHEMA = 'bench';
const log = (line: string) => process.stdout.write(`${line}\n`);

const flows = flowIds({ flows: 100, perFlow: 0 });
let next = 0;
/** `n` segment rows not written before (a position of its own per row). */
function rowsOf(n: number): Row[] {
  return Array.from({ length: n }, () => {
    const i = next++;
    return segmentRow(
      flows[i % flows.length] as string,
      BigInt(Math.floor(i / flows.length)) * SECOND,
      newObjectId(),
    );
  });
}

interface Way {
  readonly name: string;
  readonly db: TableManager;
  readonly ms: number[];
  clientMs: number;
  dbMs: number;
}

const server = await startPostgres();
const ways: Way[] = [];
const proxy = DELAY_MS > 0 ? await delayingProxy(server.port, DELAY_MS) : undefined;
const url = proxy === undefined ? server.url : server.url.replace(`:${server.port}/`, `:${proxy.port}/`);

/**
 * A TCP proxy that passes every chunk on `ms` later each way: a network's round trip, for the
 * COPY's round trip more (CopyInResponse before the data). Node's timers make it at least 1 ms.
 */
async function delayingProxy(target: number, ms: number): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), ms));
    from.on('close', () => setTimeout(() => to.destroy(), ms));
    from.on('error', () => to.destroy());
  };
  const proxy = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  proxy.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return { port: address.port, server: proxy };
}

async function main(): Promise<void> {
  for (const [name, copyFromRows] of [
    ['unnest', Number.POSITIVE_INFINITY],
    ['COPY', 1],
  ] as const) {
    const engine = new PostgresEngine({ url, schema: SCHEMA, poolSize: 2, copyFromRows });
    ways.push({ name, db: await TableManager.open(engine, storeTables), ms: [], clientMs: 0, dbMs: 0 });
  }
  const [first] = ways;
  if (first === undefined) throw new Error('no engines');
  const delay = DELAY_MS > 0 ? `, ${DELAY_MS} ms added each way` : '';
  log(`inserts into ${T.segments} (${IN_TX ? 'one transaction per call' : 'autocommit'}${delay})`);
  log(
    '| rows per call | calls | unnest (ms/call) | COPY (ms/call) | unnest/COPY | µs/row unnest: node + db | µs/row COPY: node + db |',
  );
  log('|---|---|---|---|---|---|---|');
  for (const n of SIZES) {
    const calls = Math.max(MIN_CALLS, Math.ceil(ROWS_PER_SIZE / n));
    for (const way of ways) {
      way.ms.length = 0;
      way.clientMs = 0;
      way.dbMs = 0;
    }
    // A warm-up call each: plans, connections, the table's first pages.
    for (const way of ways) await insert(way, rowsOf(n));
    // Blocks of calls taking turns, CPU read around each block (reading the database's CPU from
    // /proc costs more than a small call).
    const block = Math.ceil(calls / BLOCKS);
    for (let done = 0; done < calls; done += block) {
      for (const way of ways) {
        const batches = Array.from({ length: Math.min(calls, done + block) - done }, () => rowsOf(n));
        const cpu = process.cpuUsage();
        const dbBefore = treeCpuMs(server.pid);
        for (const rows of batches) {
          const t = performance.now();
          await insert(way, rows);
          way.ms.push(performance.now() - t);
        }
        way.dbMs += treeCpuMs(server.pid) - dbBefore;
        const used = process.cpuUsage(cpu);
        way.clientMs += (used.user + used.system) / 1000;
      }
    }
    const [unnest, copy] = ways as [Way, Way];
    const median = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    const perRow = (way: Way) =>
      `${((way.clientMs * 1000) / (calls * n)).toFixed(1)} + ${((way.dbMs * 1000) / (calls * n)).toFixed(1)}`;
    const [u, c] = [median(unnest.ms), median(copy.ms)];
    log(
      `| ${n.toLocaleString('en')} | ${calls} | ${u.toFixed(2)} | ${c.toFixed(2)} | ${(u / c).toFixed(2)} | ${perRow(unnest)} | ${perRow(copy)} |`,
    );
    await first.db.delete(T.segments, where());
  }
}

function insert(way: Way, rows: readonly Row[]): Promise<void> {
  return IN_TX ? way.db.transaction((tx) => tx.insert(T.segments, rows)) : way.db.insert(T.segments, rows);
}

try {
  await main();
} finally {
  for (const way of ways) await way.db.close();
  proxy?.server.close();
  await server.close();
}
