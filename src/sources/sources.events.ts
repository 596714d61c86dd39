import type { JsonValue } from '../db/db.types.ts';
import type { EventLog } from '../events/events.log.ts';
import type { StoreSession } from '../store/store.ts';
import { sourceDocument } from './sources.mapper.ts';

/** sources/created or sources/updated: the Source as GET /sources/{id} returns it now. */
export async function recordSourceChanged(
  events: EventLog,
  store: StoreSession,
  type: 'sources/created' | 'sources/updated',
  sourceId: string,
): Promise<void> {
  const source = await store.sources.get(sourceId);
  if (!source) return;
  events.source(type, sourceId, source.collected_by, {
    source: sourceDocument(source) as unknown as JsonValue,
  });
}

/** sources/deleted; `collectedBy`: the Source's collected_by before it went. */
export function recordSourceDeleted(events: EventLog, sourceId: string, collectedBy: string[]): void {
  events.source('sources/deleted', sourceId, collectedBy, { source_id: sourceId });
}
