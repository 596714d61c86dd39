import type { JsonValue } from '../db/db.types.ts';
import type { EventLog } from '../events/events.log.ts';
import { asJson, dateCodec, isModelPayload, MODEL_FORMAT, RecordCodec } from '../events/events.model.ts';
import type { PayloadRenderer } from '../events/events.render.ts';
import type { ApiVersion } from '../http/api.version.ts';
import type { StoreSession } from '../store/store.ts';
import type { SourceRecord } from '../store/store.types.ts';
import { sourceDocument } from './sources.mapper.ts';

/** A Source as sources/created and sources/updated keep it: the store's record (sourceDocument). */
const SOURCE_MODEL = new RecordCodec<SourceRecord>({
  id: asJson(),
  format: asJson(),
  label: asJson(),
  description: asJson(),
  created_by: asJson(),
  updated_by: asJson(),
  created: dateCodec,
  updated: dateCodec,
  tags: asJson(),
  source_collection: asJson(),
  collected_by: asJson(),
});

/** The payload of sources/created and sources/updated: `{model, source}` (events.model.ts). */
export function sourceChangedPayload(source: SourceRecord): { model: number; source: JsonValue } {
  return { model: MODEL_FORMAT, source: SOURCE_MODEL.encode(source) };
}

/** sources/created or sources/updated: the Source as the store has it now. */
export async function recordSourceChanged(
  events: EventLog,
  store: StoreSession,
  type: 'sources/created' | 'sources/updated',
  sourceId: string,
): Promise<void> {
  const source = await store.sources.get(sourceId);
  if (!source) return;
  events.source(type, sourceId, source.collected_by, sourceChangedPayload(source));
}

/** sources/created of a Source the caller holds as a read would give it (just written). */
export function recordSourceCreated(events: EventLog, source: SourceRecord): void {
  events.source('sources/created', source.id, source.collected_by, sourceChangedPayload(source));
}

/** sources/deleted; `collectedBy`: the Source's collected_by before it went. */
export function recordSourceDeleted(events: EventLog, sourceId: string, collectedBy: string[]): void {
  events.source('sources/deleted', sourceId, collectedBy, { source_id: sourceId });
}

/**
 * The `event` of sources/created and sources/updated for subscribers of `version`: the Source as
 * that version's GET /sources/{id} answers it. Payloads recorded before the outbox kept the
 * model hold 7.0's document, which is a valid 8.2 one too (string tags, every item a role).
 */
export function sourceChangedRenderer(version: ApiVersion): PayloadRenderer {
  return (payload) => {
    if (!isModelPayload(payload)) return payload;
    const source = SOURCE_MODEL.decode(payload.source) as SourceRecord;
    return { source: sourceDocument(source, version) as unknown as JsonValue };
  };
}
