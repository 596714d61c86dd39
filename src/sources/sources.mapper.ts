import type { SourceRecord } from '../store/store.types.ts';
import type { Source } from './sources.schemas.ts';

export type SourceDocument = Source;

/** A Source document as the API returns it (source.json). */
export function sourceDocument(source: SourceRecord): SourceDocument {
  const doc: SourceDocument = { id: source.id, format: source.format as Source['format'] };
  if (source.label !== undefined) doc.label = source.label;
  if (source.description !== undefined) doc.description = source.description;
  if (source.created_by !== undefined) doc.created_by = source.created_by;
  if (source.updated_by !== undefined) doc.updated_by = source.updated_by;
  doc.created = source.created.toISOString();
  doc.updated = source.updated.toISOString();
  if (Object.keys(source.tags).length > 0) doc.tags = source.tags;
  if (source.source_collection.length > 0) {
    doc.source_collection = source.source_collection.map((item) => ({ id: item.id, role: item.role }));
  }
  if (source.collected_by.length > 0) doc.collected_by = source.collected_by;
  return doc;
}
