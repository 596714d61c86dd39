import { tams } from './http.ts';
import type { GetUrl, StorageBackend } from './types.ts';

/**
 * URLs clients registered (a segment's `get_urls`, an object's uncontrolled instances) are any
 * writer's choice: the UI never requests one by itself (no fetch, no HEAD, no media element, no
 * image), and shows one as a link only where it is http(s) (the server takes no other since
 * issue 60; rows stored before may hold any scheme, shown as refused text).
 */
export function isClientUrl(url: GetUrl): boolean {
  return url.controlled !== true;
}

/** Whether `text` is an http(s) URL, the only kind the UI links to. */
export function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

let backendIds: Promise<string[]> | undefined;

/**
 * The ids of the store's storage backends (read once a page load): the player's playlists are
 * asked for with them as `accept_storage_ids`, so that they list the store's own URLs alone and
 * the player never fetches a URL a client registered.
 */
export function storageBackendIds(): Promise<string[]> {
  backendIds ??= tams<StorageBackend[]>('/service/storage-backends').then(
    ({ body }) => body.map((b) => b.id),
    (failure: unknown) => {
      backendIds = undefined;
      throw failure;
    },
  );
  return backendIds;
}
