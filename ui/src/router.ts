import { useEffect, useState } from 'preact/hooks';

/**
 * The UI's own router, over the History API: pages are paths under /ui/ (deep links and
 * reloads work because the server answers index.html for them), their state in the query.
 */
export interface Route {
  /** The path below /ui, starting with `/`. */
  path: string;
  query: URLSearchParams;
}

const MOUNT = '/ui';
const listeners = new Set<() => void>();

function mountPrefix(): string {
  const at = location.pathname.indexOf(`${MOUNT}/`);
  return at < 0 ? MOUNT : location.pathname.slice(0, at + MOUNT.length);
}

/** The URL of a UI path (`/flows/…?x=1`). */
export function href(path: string): string {
  return `${mountPrefix()}${path}`;
}

export function currentRoute(): Route {
  const prefix = mountPrefix();
  const path = location.pathname.startsWith(prefix) ? location.pathname.slice(prefix.length) : '/';
  return { path: path === '' ? '/' : path, query: new URLSearchParams(location.search) };
}

function notify(): void {
  for (const listener of listeners) listener();
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = href(path);
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  notify();
}

/** A UI path with a query (empty values left out). */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(name, value);
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * Clicks on links to UI pages navigate without reloading (modified clicks, other targets and
 * other origins are left to the browser).
 */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (anchor?.target !== '' || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    const prefix = `${mountPrefix()}/`;
    if (url.origin !== location.origin || !url.pathname.startsWith(prefix)) return;
    event.preventDefault();
    history.pushState(null, '', url.pathname + url.search);
    notify();
  });
  addEventListener('popstate', notify);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return route;
}
