import { describe, expect, it } from 'vitest';
import { assertSpecValid } from '../../test/helpers/spec-schemas.ts';
import { spec82 } from '../../test/helpers/spec82-schemas.ts';
import type { JsonValue } from '../db/db.types.ts';
import type { SourceRecord } from '../store/store.types.ts';
import { sourceChangedPayload, sourceChangedRenderer } from './sources.events.ts';
import { sourceDocument } from './sources.mapper.ts';

const ID = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const OTHER = '1b0e7f3a-3c53-4f0e-8f43-3f9f7b0b6c11';

/** A Source with every field set (Required: a field added to SourceRecord must be set here too). */
const FULL: Required<SourceRecord> = {
  id: ID,
  format: 'urn:x-nmos:format:multi',
  label: 'studio',
  description: 'both cameras',
  created_by: 'ingest',
  updated_by: 'editor',
  created: new Date('2026-01-01T00:00:00.123Z'),
  updated: new Date('2026-01-02T00:00:00.000Z'),
  tags: { kind: 'camera', langs: ['en'], none: [] },
  source_collection: [
    { id: OTHER, role: '' },
    { id: ID, role: 'picture' },
  ],
  collected_by: [OTHER],
};

const stored = (payload: JsonValue): JsonValue => JSON.parse(JSON.stringify(payload)) as JsonValue;

describe('sources/created and sources/updated: the store model in the outbox', () => {
  it("renders each version's document as its mapper makes it, byte for byte, valid in each version", () => {
    const payload = stored(sourceChangedPayload(FULL));
    expect(Object.keys((payload as { source: object }).source).sort()).toEqual(Object.keys(FULL).sort());
    for (const version of ['7.0', '8.2'] as const) {
      const event = sourceChangedRenderer(version)(payload, {});
      expect(JSON.stringify(event)).toBe(JSON.stringify({ source: sourceDocument(FULL, version) }));
      const body = { event_timestamp: '2026-01-04T00:00:00.000Z', event_type: 'sources/updated', event };
      if (version === '7.0') assertSpecValid('webhooks/sources/updated', body);
      else spec82.assertSpecValid('webhooks/sources/updated', body);
    }
    const seven = sourceChangedRenderer('7.0')(payload, {}) as { source: Record<string, JsonValue> };
    expect(seven.source.tags).toEqual({ kind: 'camera' });
    const eight = sourceChangedRenderer('8.2')(payload, {}) as { source: Record<string, JsonValue> };
    expect(eight.source.tags).toEqual(FULL.tags);
    expect(eight.source.source_collection).toEqual([{ id: OTHER }, { id: ID, role: 'picture' }]);
  });

  it("a row recorded before: 7.0's document, the same for both versions", () => {
    const legacy = stored({ source: sourceDocument(FULL, '7.0') as unknown as JsonValue });
    for (const version of ['7.0', '8.2'] as const)
      expect(sourceChangedRenderer(version)(legacy, {})).toEqual(legacy);
  });
});
