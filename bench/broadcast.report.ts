/** The broadcast benchmark's figures as a table: one row per operation (bench/broadcast.bench.ts). */
import type { Measured } from './broadcast.measure.ts';

const ms = (v: number | undefined) => (v === undefined ? '' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const us = (v: number | undefined) => (v === undefined ? '' : (v / 1000).toFixed(v < 10_000 ? 2 : 1));
const count = (v: number | undefined) =>
  v === undefined ? '' : v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(2);

/**
 * Columns: under load (rate, p50, p99 in ms, CPU ms per operation of the server and of the
 * database), one at a time (p50, p99, and the same CPU where there was no load), and on VAST the
 * fake's requests, rows read and bytes (both ways) per operation.
 */
export function broadcastTable(results: readonly Measured[]): string[][] {
  const wire = results.some((r) => r.alone.wire !== undefined);
  const header = [
    'operation',
    'rate /s',
    'p50 ms',
    'p99 ms',
    'server CPU ms/op',
    'DB CPU ms/op',
    'alone p50 ms',
    'alone p99 ms',
    ...(wire ? ['VAST requests/op', 'rows read/op', 'rows examined/op', 'bytes/op'] : []),
  ];
  const rows = results.map((r) => {
    const cpu = r.load ?? r.alone;
    return [
      r.operation,
      r.load ? r.load.rate.toFixed(1) : '',
      r.load ? ms(r.load.p50) : '',
      r.load ? ms(r.load.p99) : '',
      us(cpu.serverUs),
      us(cpu.dbUs),
      ms(r.alone.p50),
      ms(r.alone.p99),
      ...(wire
        ? [
            count(r.alone.wire?.requests),
            count(r.alone.wire?.rowsRead),
            count(r.alone.wire?.rowsExamined),
            count(r.alone.wire ? r.alone.wire.bytesIn + r.alone.wire.bytesOut : undefined),
          ]
        : []),
    ];
  });
  return [header, ...rows];
}

/** The table as Markdown (pasted into docs/benchmarks-history.md as it is). */
export function printBroadcast(results: readonly Measured[], log: (line: string) => void): void {
  const [header, ...rows] = broadcastTable(results);
  if (header === undefined) return;
  log('');
  log(`| ${header.join(' | ')} |`);
  log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of rows) log(`| ${r.join(' | ')} |`);
  const failed = results.filter((r) => (r.load?.failed ?? 0) > 0);
  for (const r of failed) {
    const by = Object.entries(r.load?.failures ?? {}).map(([why, n]) => `${n} ${why}`);
    log(`${r.operation}: ${r.load?.failed} requests failed under load (${by.join(', ')})`);
  }
}
