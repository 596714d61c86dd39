/**
 * `npm run bench -- --ui`: the web UI's first load, as a person opening it with an empty cache
 * sees it, in Debian's Chromium against a local tams-server (authentication on, the UI as
 * `npm install` built it in ui/dist, or the build `--ui-dir` names).
 *
 * Three pages, each opened directly: the sign-in page (signed out), the Sources list (the page
 * /ui opens) and the Flows list (both signed in, the token in the tab as a returning user's tab
 * has it). Figures per page, the median of several first loads (each in a fresh browser
 * context, so nothing is cached): bytes over the wire (compressed bodies and response headers,
 * as Chromium counts them) of the UI's own files and of the API answers, and requests, until the
 * network is idle; the time from navigation until the page is on screen, and until it has
 * answered a task after it (the main thread free: the page takes input). Then what opening a
 * Flow page adds (its chunk and hls.js), which no first load may hold. `--compare` sets the
 * bytes against a baseline's results.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../tools/chromium.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { startTams } from './bench.server.ts';
import type { UiBenchOptions } from './ui.args.ts';
import { allMet, compareUi } from './ui.compare.ts';
import { firstLoad, type Load, type Transfer, UI_PAGES } from './ui.load.ts';
import { seed } from './ui.seed.ts';

/** The page's globals the callback below uses (it runs in Chromium; the bench is typed for Node). */
declare const history: { pushState(state: null, title: string, url: string): void };
declare function dispatchEvent(event: unknown): boolean;
declare const PopStateEvent: new (type: string) => unknown;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function pageFigures(name: string, loads: Load[]): Figure[] {
  const kib = (bytes: number) => bytes / 1024;
  return [
    {
      name: `${name}: UI files over the wire`,
      value: kib(median(loads.map((l) => l.uiBytes))),
      unit: 'KiB',
      digits: 1,
    },
    {
      name: `${name}: API answers over the wire`,
      value: kib(median(loads.map((l) => l.apiBytes))),
      unit: 'KiB',
      digits: 1,
    },
    { name: `${name}: requests`, value: median(loads.map((l) => l.requests)), unit: '' },
    { name: `${name}: shown`, value: median(loads.map((l) => l.shown)), unit: 'ms' },
    {
      name: `${name}: interactive (a task after it ran)`,
      value: median(loads.map((l) => l.interactive)),
      unit: 'ms',
    },
  ];
}

export async function runUiBench(options: UiBenchOptions, log: (line: string) => void): Promise<boolean> {
  const uiDir = options.uiDir
    ? resolve(options.uiDir)
    : fileURLToPath(new URL('../ui/dist', import.meta.url));
  if (!existsSync(join(uiDir, 'index.html'))) {
    throw new Error(`${uiDir} is not a built UI: run npm run build:ui (npm install does)`);
  }
  const before = loadavg();
  log(
    `web UI first load: ${options.runs} run(s) per page, ${options.flows} Flows, UI ${uiDir}; load average ${before.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tams-ui-bench-'));
  const server = await startTams(join(dir, `ui-${Date.now()}`), {
    TAMS_SEARCH_EMBEDDINGS: 'none',
    TAMS_UI_DIR: uiDir,
  });
  const browser = await launchChromium();
  const loads: Record<string, Load[]> = Object.fromEntries(UI_PAGES.map((page) => [page.key, []]));
  let flowPage: Transfer[] = [];
  // On to the Flow page from the Sources list without a reload, as a person clicks there (the
  // Flows list filtered to it, through the UI's router); ready once hls.js read the playlist.
  const openFlowPage = async (tab: Page, transfers: () => Promise<Transfer[]>) => {
    await tab.evaluate(() => {
      history.pushState(null, '', '/ui/flows?label=playable');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await tab.getByRole('link', { name: 'playable' }).click();
    await tab.locator('video[data-ready="true"]').waitFor();
    await tab.waitForLoadState('networkidle');
    flowPage = (await transfers()).filter((t) => new URL(t.url).pathname.startsWith('/ui/assets/'));
  };
  try {
    await seed(server, options.flows);
    const token = server.headers.authorization?.replace(/^Bearer /, '') ?? '';
    // Pages in turn within each run, so that a load spike weighs on all of them alike.
    for (let run = 0; run < options.runs; run++) {
      for (const page of UI_PAGES) {
        const last = run === options.runs - 1 && page.key === 'sources';
        const load = await firstLoad(browser, server.url, token, page, last ? openFlowPage : undefined);
        loads[page.key]?.push(load);
      }
    }
  } finally {
    await browser.close();
    await server.stop();
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
  const after = loadavg();
  const figures: Figure[] = UI_PAGES.flatMap((page) => pageFigures(page.name, loads[page.key] ?? []));
  figures.push({
    name: 'Flow page: further UI files (its chunks, hls.js)',
    value: flowPage.reduce((total, t) => total + t.wire, 0) / 1024,
    unit: 'KiB',
    digits: 1,
  });
  const compared = options.compare ? compareUi(options.compare, figures) : [];
  printTable([...figures, ...compared], log);
  for (const page of UI_PAGES) {
    const first = loads[page.key]?.[0];
    if (!first) continue;
    log(`${page.name} files: ${first.assets.join(' ')}`);
    const short = (url: string) => (url.length > 100 ? `${url.slice(0, 100)}…` : url);
    log(`${page.name} API requests: ${first.api.map(short).join(' ')}`);
  }
  const flowAssets = flowPage.map((t) => new URL(t.url).pathname);
  log(`Flow page files: ${flowAssets.join(' ')}`);
  log(`load average after: ${after.map((l) => l.toFixed(2)).join(' ')}`);
  // hls.js belongs to the Flow page alone.
  const eager = UI_PAGES.flatMap((page) => loads[page.key]?.[0]?.assets ?? []).filter((a) => /hls/i.test(a));
  const lazy = flowAssets.some((a) => /hls/i.test(a));
  log(
    `hls.js in a first load: ${eager.length > 0 ? `yes (${eager.join(' ')})` : 'no'}; loaded by the Flow page: ${lazy ? 'yes' : 'no'}`,
  );
  writeResults(
    options.out,
    {
      options,
      figures: [...figures, ...compared],
      loads,
      flowPageAssets: flowAssets,
      loadavg: { before, after },
    },
    log,
  );
  return eager.length === 0 && lazy && allMet(compared);
}
