import type { ApiVersion } from '../http/api.version.ts';
import { tagsDocument } from '../http/tags.version.ts';
import type { SourceRecord } from '../store/store.types.ts';
import type { Source } from './sources.schemas.ts';

export type SourceDocument = Source;

/** A Source document as the API of `version` returns it (source.json): 7.0 shows no list tag. */
export function sourceDocument(source: SourceRecord, version: ApiVersion = '7.0'): SourceDocument {
  const doc: SourceDocument = { id: source.id, format: source.format as Source['format'] };
  if (source.label !== undefined) doc.label = source.label;
  if (source.description !== undefined) doc.description = source.description;
  if (source.created_by !== undefined) doc.created_by = source.created_by;
  if (source.updated_by !== undefined) doc.updated_by = source.updated_by;
  doc.created = source.created.toISOString();
  doc.updated = source.updated.toISOString();
  const tags = tagsDocument(source.tags, version);
  // The 7.0 schema's type; 8.2's lists are the 8.2 routes' to declare.
  if (Object.keys(tags).length > 0) doc.tags = tags as Record<string, string>;
  if (source.source_collection.length > 0) {
    doc.source_collection = source.source_collection.map((item) => ({ id: item.id, role: item.role }));
  }
  if (source.collected_by.length > 0) doc.collected_by = source.collected_by;
  return doc;
}
