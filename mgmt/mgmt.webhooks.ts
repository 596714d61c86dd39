import type { StoreRuntime } from '../src/deps.store.ts';
import { byUrl, webhookGetDocument, webhookStatus } from '../src/webhooks/webhooks.v8.mapper.ts';
import { columns, type MgmtIo } from './mgmt.io.ts';

/**
 * `webhooks list`: every webhook of the store, whichever TAMS version registered it, with its id,
 * the version of its payloads (the one it was registered through, for life), its 8.2 status, URL,
 * events, owner and tags; in 8.2's order (by URL, then id). `--json`: each as TAMS 8.2 shows it
 * (never its API key value) with `api_version`.
 */
export async function webhooksListCommand(
  runtime: StoreRuntime,
  io: MgmtIo,
  options: { json: boolean },
): Promise<number> {
  const webhooks = (await runtime.store.webhooks.list()).sort(byUrl);
  if (options.json) {
    const docs = webhooks.map((w) => ({ ...webhookGetDocument(w), api_version: w.api_version }));
    io.out(`${JSON.stringify(docs, null, 2)}\n`);
    return 0;
  }
  if (webhooks.length === 0) {
    io.out('No webhook is registered.\n');
    return 0;
  }
  const tags = (t: Record<string, string | string[]>) =>
    Object.entries(t)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(' ');
  io.out(
    columns([
      ['ID', 'VERSION', 'STATUS', 'URL', 'EVENTS', 'OWNER', 'TAGS'],
      ...webhooks.map((w) => [
        w.id,
        w.api_version,
        webhookStatus(w),
        w.url,
        w.events.join(','),
        w.owner ?? '',
        tags(w.tags),
      ]),
    ]),
  );
  const suspended = webhooks.filter((w) => webhookStatus(w) === 'error');
  for (const w of suspended) io.out(`${w.id}: deliveries suspended: ${w.suspended ?? ''}\n`);
  return 0;
}
