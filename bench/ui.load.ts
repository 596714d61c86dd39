import type { Browser, Page, Request } from 'playwright-core';

/** A page whose first load the bench measures. */
export interface UiPage {
  /** Its key in the results (`signin`, `sources`, `flows`). */
  key: string;
  /** What the table calls it. */
  name: string;
  /** Its URL path under the server. */
  path: string;
  /** Opened signed in (the token in the tab's sessionStorage) or signed out. */
  signedIn: boolean;
  /** The element whose appearance means the page is on screen. */
  ready: string;
}

export const UI_PAGES: readonly UiPage[] = [
  { key: 'signin', name: 'sign-in page', path: '/ui/', signedIn: false, ready: 'section.signin form' },
  {
    key: 'sources',
    name: 'Sources list',
    path: '/ui/',
    signedIn: true,
    ready: 'table[data-testid="sources"] tbody tr',
  },
  {
    key: 'flows',
    name: 'Flows list',
    path: '/ui/flows',
    signedIn: true,
    ready: 'table[data-testid="flows"] tbody tr',
  },
];

/** How long a page may take to show (a loaded 2-core machine). */
const READY_MS = 60_000;

export interface Transfer {
  url: string;
  /** Body as sent (compressed) plus response headers. */
  wire: number;
}

export interface Load {
  uiBytes: number;
  apiBytes: number;
  requests: number;
  /** ms from navigation start. */
  shown: number;
  interactive: number;
  assets: string[];
  /** The API requests (path and query). */
  api: string[];
}

/** Records, in the page, when `selector` first shows and when a task after it has run. */
function readyProbe(selector: string): string {
  return `
window.__tamsReady = new Promise((resolve) => {
  const found = () => document.querySelector(${JSON.stringify(selector)}) !== null;
  const observer = new MutationObserver(() => {
    if (!found()) return;
    observer.disconnect();
    const shown = performance.now();
    requestAnimationFrame(() => setTimeout(() => resolve({ shown, interactive: performance.now() }), 0));
  });
  observer.observe(document, { childList: true, subtree: true });
});`;
}

/** Every response the page receives, with what it weighed on the wire. */
export function recordTransfers(page: Page): () => Promise<Transfer[]> {
  const pending: Promise<Transfer>[] = [];
  page.on('requestfinished', (request: Request) => {
    pending.push(
      request.sizes().then((s) => ({ url: request.url(), wire: s.responseBodySize + s.responseHeadersSize })),
    );
  });
  return async () => Promise.all(pending.splice(0));
}

const isUi = (t: Transfer) => new URL(t.url).pathname.startsWith('/ui/');
const sum = (transfers: Transfer[]) => transfers.reduce((total, t) => total + t.wire, 0);

/**
 * One first load of `page` in a fresh browser context (nothing cached), until the network is
 * idle (the requests a page makes once shown, such as a list's per-row ones, count). `then` runs
 * in the same page afterwards (the Flow page opened from the list).
 */
export async function firstLoad(
  browser: Browser,
  base: string,
  token: string,
  page: UiPage,
  then?: (tab: Page, transfers: () => Promise<Transfer[]>) => Promise<void>,
): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const signIn = page.signedIn ? `sessionStorage.setItem('tams.token', ${JSON.stringify(token)});` : '';
    await context.addInitScript(`${signIn}${readyProbe(page.ready)}`);
    const tab = await context.newPage();
    const transfers = recordTransfers(tab);
    await tab.goto(`${base}${page.path}`);
    // A page that never shows its element (a build whose markup differs) fails the bench, not hangs it.
    // A timer of this process, cleared once the race is over: a page's waitForTimeout left
    // pending rejects when the context closes, an unhandled rejection that ended the bench.
    let timer: NodeJS.Timeout | undefined;
    const ready = (await Promise.race([
      tab.evaluate('window.__tamsReady'),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${page.name}: no ${page.ready} within ${READY_MS / 1000} s`)),
          READY_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer))) as { shown: number; interactive: number };
    await tab.waitForLoadState('networkidle');
    const seen = await transfers();
    const ui = seen.filter(isUi);
    const api = seen.filter((t) => !isUi(t));
    const load: Load = {
      uiBytes: sum(ui),
      apiBytes: sum(api),
      requests: seen.length,
      shown: ready.shown,
      interactive: ready.interactive,
      assets: ui.map((t) => new URL(t.url).pathname),
      api: api.map((t) => {
        const url = new URL(t.url);
        return url.pathname + url.search;
      }),
    };
    if (then) await then(tab, transfers);
    return load;
  } finally {
    await context.close();
  }
}
