import { href, withQuery } from '../router.ts';

/**
 * Paging of a TAMS listing: the first page, and the next one by the key the server gave
 * (X-Paging-NextKey / Link). Earlier pages are the browser's Back: every page is a URL.
 */
export function Pager({
  path,
  query,
  next,
}: {
  path: string;
  query: URLSearchParams;
  next: string | undefined;
}) {
  const base = Object.fromEntries([...query.entries()].filter(([name]) => name !== 'page'));
  const onFirst = !query.has('page');
  return (
    <nav class="pager" aria-label="Pages">
      {onFirst ? null : <a href={href(withQuery(path, base))}>First page</a>}
      {next === undefined ? (
        <span class="muted">{onFirst ? 'All shown' : 'Last page'}</span>
      ) : (
        <a href={href(withQuery(path, { ...base, page: next }))} rel="next">
          Next page
        </a>
      )}
    </nav>
  );
}
