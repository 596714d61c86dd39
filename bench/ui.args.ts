import { readArgs } from './bench.argv.ts';

/** Command-line options of `npm run bench -- --ui`. */
export interface UiBenchOptions {
  quick: boolean;
  /** First loads measured, each in a fresh browser context (empty cache). */
  runs: number;
  /** Flows (and as many Sources) in the store the lists show. */
  flows: number;
  dir?: string;
  out: string;
}

const USAGE = `usage: npm run bench -- --ui [--quick] [--runs N] [--flows N] [--dir PATH] [--out FILE]
  --ui           the web UI's first load in Chromium against a local tams-server (ui/dist as built by npm install):
                 bytes over the wire (compressed, headers included) and time until the Sources list is shown and
                 the page answers input, with an empty cache; then what the Flow page loads on top (hls.js)
  --quick        1 run instead of 7 (CI: every figure is produced)
  --runs         first loads measured (the median is reported)
  --flows        Flows and Sources in the store (default 50: one page of the Sources list)
  --dir          where the server keeps its data (default: the system's temporary folder)
  --out          JSON results file (default bench/results/ui.json)`;

export function parseUiArgs(argv: string[]): UiBenchOptions {
  const quick = argv.includes('--quick');
  const options: UiBenchOptions = { quick, runs: quick ? 1 : 7, flows: 50, out: 'bench/results/ui.json' };
  return readArgs(argv, USAGE, options, {
    '--ui': { kind: 'known' },
    '--quick': { kind: 'known' },
    '--runs': { kind: 'int', key: 'runs' },
    '--flows': { kind: 'int', key: 'flows' },
    '--dir': { kind: 'string', key: 'dir' },
    '--out': { kind: 'string', key: 'out' },
  });
}
