import { isWebUrl } from '../api/urls.ts';

/**
 * A media URL as text, a link only where it is http(s) (opened by the operator's click, in a
 * new tab without opener or referrer); any other scheme, which only rows stored before the
 * server refused them can hold, is shown as refused and never made active.
 */
export function MediaUrl({ url }: { url: string }) {
  if (!isWebUrl(url)) {
    return (
      <span class="break" data-testid="url-refused">
        <code>{url}</code> <span class="muted">(refused: not an http(s) URL, never opened)</span>
      </span>
    );
  }
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" class="break">
      <code>{url}</code>
    </a>
  );
}
