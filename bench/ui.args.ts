import { readArgs } from './bench.argv.ts';

/** Command-line options of `npm run bench -- --ui`. */
export interface UiBenchOptions {
  quick: boolean;
  /** First loads measured per page, each in a fresh browser context (empty cache). */
  runs: number;
  /** Flows (and as many Sources) in the store the lists show. */
  flows: number;
  dir?: string;
  /** The built UI served (default ui/dist): another build's, to measure a baseline. */
  uiDir?: string;
  /** An earlier run's results JSON, to compare each page's first load against. */
  compare?: string;
  out: string;
}

const USAGE = `usage: npm run bench -- --ui [--quick] [--runs N] [--flows N] [--ui-dir PATH] [--compare FILE] [--dir PATH] [--out FILE]
  --ui           the web UI's first load in Chromium against a local tams-server, with an empty cache, of three
                 pages: the sign-in page, the Sources list and the Flows list. For each: the UI's files and the
                 API's answers over the wire (compressed, headers included), requests, and the time until the
                 page is shown and answers input; then what the Flow page loads on top (hls.js)
  --quick        1 run per page instead of 7 (CI: every figure is produced)
  --runs         first loads measured per page (the median is reported)
  --flows        Flows and Sources in the store (default 50: one page of the Sources list)
  --ui-dir       the built UI to serve (default ui/dist; e.g. an older commit's build, for a baseline)
  --compare      an earlier run's results JSON (the baseline): each page's bytes against it, the sign-in
                 page's and the Flows list's within 10 % (exit status 1 when not)
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
    '--ui-dir': { kind: 'string', key: 'uiDir' },
    '--compare': { kind: 'string', key: 'compare' },
    '--dir': { kind: 'string', key: 'dir' },
    '--out': { kind: 'string', key: 'out' },
  });
}
