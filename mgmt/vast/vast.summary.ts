/**
 * The field kit's summary: one text to attach to a bug report (the endpoints and bucket, the VAST
 * version, each check with what it observed, the timings per operation), and the same as JSON. A
 * run stopped by a wrong setting leads with the cause and what to do, and leaves out what would
 * only repeat it. Masked before it is shown (the keys) or written (like the golden files:
 * vast.golden.ts).
 */
import type { Facts } from './vast.probe.ts';
import type { Shown } from './vast.probes.settings.ts';
import type { CheckResult } from './vast.runner.ts';

export interface Summary {
  readonly tool: string;
  readonly at: string;
  readonly target: string;
  readonly facts: Facts;
  /** The endpoints and bucket as set. */
  readonly shown: Shown;
  readonly seconds: number;
  readonly results: readonly CheckResult[];
  readonly timings: ReadonlyMap<string, readonly number[]>;
  readonly golden: { readonly dir: string; readonly answers: number; readonly errors: number };
  readonly schemas: { readonly prefix: string; readonly left: readonly string[] };
  /** The check whose failure stopped the run (it has `fix`), and how many checks were not run. */
  readonly stopped?: { readonly at: CheckResult; readonly notRun: number };
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
  // The failure that stopped the run is told once, at the top.
  if (r.error !== undefined && r.fix === undefined) lines.push(`      failed: ${r.error}`);
  return lines;
}

/** What answered at the endpoints, as the probes saw it (a refusal's answer included). */
export function vastSeen(f: Facts): string {
  if (f.server !== undefined && /^vast\b/.test(f.server))
    return `${f.server}${f.version ? ` (version ${f.version})` : ''}${f.keysRefused ? `, which refused the keys (${f.keysRefused})` : ''}`;
  if (f.server !== undefined) return `none: the endpoint answered as Server ${JSON.stringify(f.server)}`;
  if (f.answered) return 'none: the endpoint answered without a Server header';
  if (f.unreachable !== undefined) return `no answer (${f.unreachable})`;
  return 'no answer seen';
}

export function summaryText(s: Summary): string {
  const t = totals(s.results);
  const out = [
    `tams-server VAST field check (${s.tool}), ${s.at}`,
    `target: ${s.target}; VAST: ${vastSeen(s.facts)}; Node ${process.version}`,
    `endpoints: ${s.shown.endpoints.join(', ')}; bucket: "${s.shown.bucket}"`,
    `result: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped in ${s.seconds.toFixed(1)} s${s.stopped ? `; stopped, ${s.stopped.notRun} checks not run` : ''}`,
  ];
  if (s.stopped !== undefined) {
    const at = s.stopped.at;
    out.push('', `STOPPED: ${at.error}`, `what to do: ${at.fix}`);
  }
  const failed = s.results.filter((r) => r.status === 'failed' && r.fix === undefined);
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
  // A stopped run's timings only time its refusals.
  const ops = s.stopped ? [] : [...s.timings].sort((a, b) => a[0].localeCompare(b[0]));
  if (ops.length > 0) out.push('', 'timings per operation: calls, median ms, max ms');
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
    s.schemas.left.length > 0
      ? `scratch schemas left behind (drop them by hand): ${s.schemas.left.join(', ')}`
      : s.stopped
        ? `scratch schemas ${s.schemas.prefix}_*: none made`
        : `scratch schemas ${s.schemas.prefix}_*: all dropped`,
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
    vast: vastSeen(s.facts),
    endpoints: s.shown.endpoints,
    bucket: s.shown.bucket,
    seconds: Number(s.seconds.toFixed(1)),
    totals: totals(s.results),
    checks: s.results.map((r) => ({
      group: r.group,
      name: r.name,
      status: r.status,
      ms: r.ms,
      observed: r.observed,
      ...(r.error !== undefined && { error: r.error }),
      ...(r.fix !== undefined && { fix: r.fix }),
    })),
    stopped: s.stopped
      ? { check: [...s.stopped.at.group, s.stopped.at.name], not_run: s.stopped.notRun }
      : null,
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
