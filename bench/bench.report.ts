import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname } from 'node:path';
export interface Figure {
  name: string;
  value: number;
  unit: string;
  digits?: number;
  /** The target for this figure, when it has one. */
  target?: { min?: number; max?: number };
}

function verdict(f: Figure): string {
  if (!f.target) return '';
  const { min, max } = f.target;
  const ok = (min === undefined || f.value >= min) && (max === undefined || f.value <= max);
  const goal = [min !== undefined ? `>= ${round(min)}` : '', max !== undefined ? `<= ${round(max)}` : '']
    .filter(Boolean)
    .join(' ');
  return `${ok ? 'met' : 'MISSED'} (${goal})`;
}

function round(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

export function printTable(figures: readonly Figure[], log: (line: string) => void): void {
  const rows = figures.map((f) => [f.name, `${f.value.toFixed(f.digits ?? 0)} ${f.unit}`.trim(), verdict(f)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length), 6));
  log('');
  for (const r of rows) log(r.map((c, i) => c.padEnd(widths[i] as number)).join('  '));
}

/** Writes a run's figures (and what else it measured) as JSON, with the machine it ran on. */
export function writeResults(
  out: string,
  results: { options: unknown; figures: readonly Figure[] } & Record<string, unknown>,
  log: (line: string) => void,
): void {
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, ...results }, null, 2)}\n`);
  log(`results written to ${out}`);
}

/**
 * Each of the figures `names` against the same figure of an earlier run's results (`file`), as
 * this run's value over that one's: ratios measured against their own baselines compare across
 * runs where the machine's speed does not let absolute rates.
 */
export function compareRuns(
  file: string,
  figures: readonly Figure[],
  names: readonly string[],
  record: (figure: Figure) => void,
): void {
  const earlier = (JSON.parse(readFileSync(file, 'utf8')) as { figures: Figure[] }).figures;
  for (const name of names) {
    const now = figures.find((f) => f.name === name);
    const then = earlier.find((f) => f.name === name);
    if (now === undefined || then === undefined || then.value === 0) continue;
    record({
      name: `${name}, against ${basename(file)}`,
      value: now.value / then.value,
      unit: '',
      digits: 2,
      target: { min: 0.8 },
    });
  }
}
