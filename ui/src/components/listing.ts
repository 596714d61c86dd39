import { nextPageKey, tams } from '../api/http.ts';
import { type Loaded, useLoad } from './common.tsx';

export interface ListingPage<T> {
  items: T[];
  /** The key of the next page; undefined on the last. */
  next?: string;
}

/**
 * A page of a TAMS listing (the 8.2 mount) with the page's filters, loaded again when they
 * change, or when `revision` does (after a change made on the page).
 */
export function useListing<T>(
  path: string,
  query: Record<string, string>,
  limit = 50,
  revision = 0,
): Loaded<ListingPage<T>> {
  return useLoad(`${path} ${JSON.stringify(query)} ${revision}`, async (signal) => {
    const { body, headers } = await tams<T[]>(path, { query: { ...query, limit }, signal });
    return { items: body, next: nextPageKey(headers) };
  });
}
