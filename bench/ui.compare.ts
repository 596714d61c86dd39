import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Figure } from './bench.report.ts';
import { UI_PAGES } from './ui.load.ts';

/** The pages whose first load must stay within BUDGET of the baseline's (issue 50). */
const BUDGETED = new Set(['signin', 'flows']);
const BUDGET = 1.1;
/** The figures compared, per page: the bytes a first load costs. */
const BYTES = ['UI files over the wire', 'API answers over the wire'];

/**
 * Each page's bytes against the same figure of an earlier run (`file`, the baseline: e.g. the
 * bench run with `--ui-dir` at an older commit's build), as this run's over that one's; the
 * sign-in page's and the Flows list's must be at most 1.10.
 */
export function compareUi(file: string, figures: readonly Figure[]): Figure[] {
  const earlier = (JSON.parse(readFileSync(file, 'utf8')) as { figures: Figure[] }).figures;
  const out: Figure[] = [];
  for (const page of UI_PAGES) {
    for (const what of BYTES) {
      const name = `${page.name}: ${what}`;
      const now = figures.find((f) => f.name === name);
      const then = earlier.find((f) => f.name === name);
      if (now === undefined || then === undefined || then.value === 0) continue;
      out.push({
        name: `${name}, against ${basename(file)} (${then.value.toFixed(1)} ${then.unit})`,
        value: now.value / then.value,
        unit: '',
        digits: 2,
        ...(BUDGETED.has(page.key) && { target: { max: BUDGET } }),
      });
    }
  }
  return out;
}

/** Whether every figure with a target met it. */
export function allMet(figures: readonly Figure[]): boolean {
  return figures.every(
    (f) =>
      f.target === undefined ||
      ((f.target.min === undefined || f.value >= f.target.min) &&
        (f.target.max === undefined || f.value <= f.target.max)),
  );
}
