/**
 * The field kit's summary: one text to attach to a bug report (the VAST version, each check with
 * what it observed, the timings per operation), and the same as JSON. Masked like the golden
 * files before it is shown or written (vast.golden.ts).
 */
import type { Facts } from './vast.probe.ts';
import type { CheckResult } from './vast.runner.ts';

export interface Summary {
  readonly tool: string;
  readonly at: string;
  readonly target: string;
  readonly facts: Facts;
  readonly endpoints: number;
  readonly seconds: number;
  readonly results: readonly CheckResult[];
  readonly timings: ReadonlyMap<string, readonly number[]>;
  readonly golden: { readonly dir: string; readonly answers: number; readonly errors: number };
  readonly schemas: { readonly prefix: string; readonly left: readonly string[] };
}

const MARK = { passed: '✓', failed: '✗', skipped: '-' } as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function totals(results: readonly CheckResult[]): Record<CheckResult['status'], number> {
  const out = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

function checkLines(r: CheckResult): string[] {
  const lines = [`  ${MARK[r.status]} ${r.name}${r.status === 'skipped' ? ' (skipped)' : ` (${r.ms} ms)`}`];
  for (const line of r.observed) lines.push(`      observed: ${line}`);
  if (r.error !== undefined) lines.push(`      failed: ${r.error}`);
  return lines;
}

export function summaryText(s: Summary): string {
  const t = totals(s.results);
  const out = [
    `tams-server VAST field check (${s.tool}), ${s.at}`,
    `target: ${s.target}; VAST: ${s.facts.server ?? 'no Server header seen'}${s.facts.version ? ` (version ${s.facts.version})` : ''}; endpoints: ${s.endpoints}; Node ${process.version}`,
    `result: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped in ${s.seconds.toFixed(1)} s`,
  ];
  const failed = s.results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    out.push('', 'FAILED');
    for (const r of failed) out.push(`  ${r.group.join(' › ')}`, ...checkLines(r).map((l) => `  ${l}`));
  }
  let group = '';
  for (const r of s.results) {
    const g = r.group.join(' › ');
    if (g !== group) out.push('', g);
    group = g;
    out.push(...checkLines(r));
  }
  out.push('', 'timings per operation: calls, median ms, max ms');
  const ops = [...s.timings].sort((a, b) => a[0].localeCompare(b[0]));
  const width = Math.max(0, ...ops.map(([op]) => op.length));
  for (const [op, ms] of ops) {
    out.push(
      `  ${op.padEnd(width)}  ${String(ms.length).padStart(6)}  ${median(ms).toFixed(1).padStart(8)}  ${Math.max(
        ...ms,
      )
        .toFixed(1)
        .padStart(8)}`,
    );
  }
  out.push(
    '',
    `golden files: ${s.golden.answers} answers, ${s.golden.errors} error bodies in ${s.golden.dir}`,
    s.schemas.left.length === 0
      ? `scratch schemas ${s.schemas.prefix}_*: all dropped`
      : `scratch schemas left behind (drop them by hand): ${s.schemas.left.join(', ')}`,
  );
  return `${out.join('\n')}\n`;
}

export function summaryJson(s: Summary): unknown {
  return {
    tool: s.tool,
    at: s.at,
    target: s.target,
    server: s.facts.server ?? null,
    version: s.facts.version ?? null,
    endpoints: s.endpoints,
    seconds: Number(s.seconds.toFixed(1)),
    totals: totals(s.results),
    checks: s.results.map((r) => ({
      group: r.group,
      name: r.name,
      status: r.status,
      ms: r.ms,
      observed: r.observed,
      ...(r.error !== undefined && { error: r.error }),
    })),
    timings: Object.fromEntries(
      [...s.timings].map(([op, ms]) => [
        op,
        {
          calls: ms.length,
          median_ms: Number(median(ms).toFixed(1)),
          max_ms: Number(Math.max(...ms).toFixed(1)),
        },
      ]),
    ),
    golden: s.golden,
    schemas_left: s.schemas.left,
  };
}
