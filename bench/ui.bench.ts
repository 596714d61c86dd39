/**
 * `npm run bench -- --ui`: the web UI's first load, as a person opening /ui with an empty cache
 * sees it, in Debian's Chromium against a local tams-server (authentication on, the UI as
 * `npm install` built it in ui/dist).
 *
 * Figures, the median of several first loads (each in a fresh browser context, so nothing is
 * cached): bytes over the wire (compressed bodies and response headers, as Chromium counts them)
 * of the UI's own files and of the API answers; the time from navigation until the Sources list
 * is on screen, and until the page has answered a task after it (the main thread free: the page
 * takes input); then what opening a Flow page adds (its chunk and hls.js), which the first load
 * must not hold.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { launchChromium } from '../tools/chromium.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { type RunningServer, startTams } from './bench.server.ts';
import type { UiBenchOptions } from './ui.args.ts';

/** The page's globals the callback below uses (it runs in Chromium; the bench is typed for Node). */
declare const history: { pushState(state: null, title: string, url: string): void };
declare function dispatchEvent(event: unknown): boolean;
declare const PopStateEvent: new (type: string) => unknown;

interface Transfer {
  url: string;
  /** Body as sent (compressed) plus response headers. */
  wire: number;
}

interface Load {
  uiBytes: number;
  apiBytes: number;
  requests: number;
  /** ms from navigation start. */
  shown: number;
  interactive: number;
  assets: string[];
}

/** Records, in the page, when the Sources list first shows and when a task after it has run. */
const READY_PROBE = `
window.__tamsReady = new Promise((resolve) => {
  const found = () => document.querySelector('table[data-testid="sources"] tbody tr') !== null;
  const observer = new MutationObserver(() => {
    if (!found()) return;
    observer.disconnect();
    const shown = performance.now();
    requestAnimationFrame(() => setTimeout(() => resolve({ shown, interactive: performance.now() }), 0));
  });
  observer.observe(document, { childList: true, subtree: true });
});`;

/** Every response the page receives, with what it weighed on the wire. */
function recordTransfers(page: Page): () => Promise<Transfer[]> {
  const pending: Promise<Transfer>[] = [];
  page.on('requestfinished', (request: Request) => {
    pending.push(
      request.sizes().then((s) => ({ url: request.url(), wire: s.responseBodySize + s.responseHeadersSize })),
    );
  });
  return async () => Promise.all(pending.splice(0));
}

async function seed(server: RunningServer, flows: number): Promise<void> {
  const put = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'PUT',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  for (let i = 0; i < flows; i++) {
    const id = randomUUID();
    const res = await put(`/flows/${id}`, {
      id,
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      label: `camera ${i + 1}`,
      tags: { location: `studio ${(i % 5) + 1}` },
      essence_parameters: { frame_width: 1920, frame_height: 1080 },
    });
    if (res.status !== 201) throw new Error(`PUT flow: ${res.status} ${await res.text()}`);
  }
  // One Flow with a segment, so that its page shows the player (and loads hls.js).
  const id = randomUUID();
  await put(`/flows/${id}`, {
    id,
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label: 'playable',
    essence_parameters: { frame_width: 1920, frame_height: 1080 },
  });
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const alloc = (await (await post(`/flows/${id}/storage`, { limit: 1 })).json()) as {
    media_objects: { object_id: string; put_url: { url: string } }[];
  };
  const object = alloc.media_objects[0];
  if (!object) throw new Error('no object allocated');
  await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { 'content-type': 'video/mp2t' },
    body: randomBytes(1880),
  });
  const registered = await post(`/flows/${id}/segments`, {
    object_id: object.object_id,
    timerange: '[0:0_1:0)',
  });
  if (registered.status !== 201) throw new Error(`POST segment: ${registered.status}`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

export async function runUiBench(options: UiBenchOptions, log: (line: string) => void): Promise<boolean> {
  const uiDir = new URL('../ui/dist/index.html', import.meta.url);
  if (!existsSync(uiDir)) throw new Error('ui/dist is not built: run npm run build:ui (npm install does)');
  const before = loadavg();
  log(
    `web UI first load: ${options.runs} run(s), ${options.flows} Flows; load average ${before.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tams-ui-bench-'));
  const server = await startTams(join(dir, `ui-${Date.now()}`), { TAMS_SEARCH_EMBEDDINGS: 'none' });
  const browser = await launchChromium();
  const loads: Load[] = [];
  let flowPageBytes = 0;
  let flowPageAssets: string[] = [];
  try {
    await seed(server, options.flows);
    const token = server.headers.authorization?.replace(/^Bearer /, '') ?? '';
    for (let run = 0; run < options.runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      // Signed in already (the token in the tab's sessionStorage), as a returning user's tab is.
      await context.addInitScript(
        `sessionStorage.setItem('tams.token', ${JSON.stringify(token)});${READY_PROBE}`,
      );
      const page = await context.newPage();
      const transfers = recordTransfers(page);
      await page.goto(`${server.url}/ui/`);
      const ready = (await page.evaluate('window.__tamsReady')) as { shown: number; interactive: number };
      await page.waitForLoadState('networkidle');
      const seen = await transfers();
      const ui = seen.filter((t) => new URL(t.url).pathname.startsWith('/ui/'));
      loads.push({
        uiBytes: ui.reduce((sum, t) => sum + t.wire, 0),
        apiBytes: seen.filter((t) => !ui.includes(t)).reduce((sum, t) => sum + t.wire, 0),
        requests: seen.length,
        shown: ready.shown,
        interactive: ready.interactive,
        assets: ui.map((t) => new URL(t.url).pathname),
      });
      if (run === options.runs - 1) {
        // On to the Flow page without a reload, as a person clicks there (the Flows list
        // filtered to it, through the UI's router).
        await page.evaluate(() => {
          history.pushState(null, '', '/ui/flows?label=playable');
          dispatchEvent(new PopStateEvent('popstate'));
        });
        await page.getByRole('link', { name: 'playable' }).click();
        // Ready: hls.js loaded and the playlist read.
        await page.locator('video[data-ready="true"]').waitFor();
        await page.waitForLoadState('networkidle');
        const more = (await transfers()).filter((t) => new URL(t.url).pathname.startsWith('/ui/assets/'));
        flowPageBytes = more.reduce((sum, t) => sum + t.wire, 0);
        flowPageAssets = more.map((t) => new URL(t.url).pathname);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
  const after = loadavg();
  const first = loads[0] as Load;
  const figures: Figure[] = [
    {
      name: 'first load: UI files over the wire',
      value: median(loads.map((l) => l.uiBytes)) / 1024,
      unit: 'KiB',
      digits: 1,
    },
    {
      name: 'first load: API answers over the wire',
      value: median(loads.map((l) => l.apiBytes)) / 1024,
      unit: 'KiB',
      digits: 1,
    },
    { name: 'first load: requests', value: median(loads.map((l) => l.requests)), unit: '' },
    { name: 'first load: Sources list shown', value: median(loads.map((l) => l.shown)), unit: 'ms' },
    {
      name: 'first load: interactive (a task after it ran)',
      value: median(loads.map((l) => l.interactive)),
      unit: 'ms',
    },
    {
      name: 'Flow page: further UI files (its chunk, hls.js)',
      value: flowPageBytes / 1024,
      unit: 'KiB',
      digits: 1,
    },
  ];
  printTable(figures, log);
  log(`first load files: ${first.assets.join(' ')}`);
  log(`Flow page files: ${flowPageAssets.join(' ')}`);
  log(`load average after: ${after.map((l) => l.toFixed(2)).join(' ')}`);
  // hls.js belongs to the Flow page alone.
  const eager = first.assets.filter((a) => /hls/i.test(a));
  const lazy = flowPageAssets.some((a) => /hls/i.test(a));
  log(
    `hls.js in the first load: ${eager.length > 0 ? `yes (${eager.join(' ')})` : 'no'}; loaded by the Flow page: ${lazy ? 'yes' : 'no'}`,
  );
  writeResults(options.out, { options, figures, loads, flowPageAssets, loadavg: { before, after } }, log);
  return eager.length === 0 && lazy;
}
