import { useEffect, useState } from 'preact/hooks';
import { apiUrl, authHeaders } from '../api/http.ts';
import { rangeText, type Span, spanOf } from '../time.ts';

/** What a download of a span would be, as the server says before any media is read. */
export type Preview =
  | { state: 'checking' }
  | { state: 'ready'; covered: Span; segments: number }
  | { state: 'refused'; message: string };

/** The server's export of `span` of the Flow (GET /flows/{id}/export). */
export function exportUrl(flowId: string, span: Span): URL {
  return apiUrl(`/flows/${encodeURIComponent(flowId)}/export`, { timerange: rangeText(span) });
}

/** The file name a Content-Disposition gives (its UTF-8 form first), else `fallback`. */
export function dispositionName(header: string | null, fallback: string): string {
  if (header === null) return fallback;
  const utf8 = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1];
  if (utf8 !== undefined) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      // A malformed encoding: the ASCII form below.
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1] ?? fallback;
}

/** `400 <summary>` of a TAMS error answer, else its status. */
export async function failureText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { summary?: unknown };
    if (typeof body.summary === 'string') return `${res.status} ${body.summary}`;
  } catch {
    // Not a TAMS error body.
  }
  return `${res.status} ${res.statusText}`;
}

async function preview(url: URL, signal: AbortSignal): Promise<Preview> {
  const headers = authHeaders();
  const head = await fetch(url, { method: 'HEAD', headers, signal });
  if (!head.ok) {
    // A HEAD has no body to say why: the GET's error comes before any media is read.
    const get = await fetch(url, { headers, signal });
    if (get.ok) {
      await get.body?.cancel();
      return { state: 'refused', message: `${head.status} ${head.statusText}` };
    }
    return { state: 'refused', message: await failureText(get) };
  }
  const covered = spanOf(head.headers.get('x-export-timerange') ?? undefined);
  const segments = Number(head.headers.get('x-export-segments') ?? 0);
  if (covered === undefined)
    return { state: 'refused', message: 'The server did not say what the file holds.' };
  return { state: 'ready', covered, segments };
}

/**
 * What the file of `span` would hold (whole segments: the first overlapping its start to the
 * last overlapping its end), or why the server would refuse it, asked with a HEAD each time
 * the span changes.
 */
export function useExportPreview(flowId: string, span: Span): Preview {
  const [state, setState] = useState<Preview>({ state: 'checking' });
  useEffect(() => {
    if (span.end <= span.start) {
      setState({ state: 'refused', message: 'The end is not after the start.' });
      return;
    }
    const controller = new AbortController();
    setState({ state: 'checking' });
    preview(exportUrl(flowId, span), controller.signal).then(setState, (error: unknown) => {
      if (!controller.signal.aborted) setState({ state: 'refused', message: String(error) });
    });
    return () => controller.abort();
  }, [flowId, span.start, span.end]);
  return state;
}
