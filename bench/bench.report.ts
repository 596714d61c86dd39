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
