import { describe, expect, it } from 'vitest';
import { assertSpecValid } from '../../test/helpers/spec-schemas.ts';
import { spec82 } from '../../test/helpers/spec82-schemas.ts';
import type { JsonValue } from '../db/db.types.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';
import { flowChangedPayload, flowChangedRenderer } from './flows.events.ts';
import { flowPayloadV8 } from './flows.events.v8.ts';
import { flowDocument } from './flows.mapper.ts';

const ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';
const SOURCE = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const OTHER = '1b0e7f3a-3c53-4f0e-8f43-3f9f7b0b6c11';

/** A Flow with every field set (Required: a field added to FlowRecord must be set here too). */
const FULL: Required<FlowRecord> = {
  id: ID,
  source_id: SOURCE,
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  container: 'video/mp2t',
  label: 'camera 1',
  description: 'wide',
  created_by: 'ingest',
  updated_by: 'editor',
  created: new Date('2026-01-01T00:00:00.123Z'),
  metadata_updated: new Date('2026-01-02T00:00:00.000Z'),
  segments_updated: new Date('2026-01-03T00:00:00.000Z'),
  metadata_version: 'b5e4b2c1-6c2d-4c1d-9d2f-6a8e8e3f1a2b',
  read_only: false,
  generation: 2,
  avg_bit_rate: 5000,
  max_bit_rate: 8000,
  essence_parameters: { frame_width: 1920, frame_height: 1080 },
  segment_duration: { numerator: 1, denominator: 1 },
  container_mapping: { track_index: 1 },
  status: 'ingesting',
  profile_id: OTHER,
  extra: { colour: 'blue', notes: { take: 3 } },
  tags: { owner: 'me', langs: ['en', 'fr'], none: [] },
  flow_collection: [
    { id: OTHER, role: '' },
    { id: SOURCE, role: 'audio', container_mapping: { track_index: 2 } },
  ],
  collected_by: [OTHER],
  timerange: TimeRange.fromBounds(0n, 10n, true, false),
};

/** The payload as a reader of the outbox gets it back: JSON, as stored. */
const stored = (payload: JsonValue): JsonValue => JSON.parse(JSON.stringify(payload)) as JsonValue;

describe('flows/created and flows/updated: the store model in the outbox', () => {
  it("renders each version's document as its mapper makes it, byte for byte, valid in each version", () => {
    const payload = stored(flowChangedPayload(FULL));
    for (const version of ['7.0', '8.2'] as const) {
      const event = flowChangedRenderer(version)(payload, {});
      // The bytes a webhook gets: as JSON.stringify writes the mapper's document (GET's mapper).
      expect(JSON.stringify(event)).toBe(JSON.stringify({ flow: flowDocument(FULL, { version }) }));
      const body = { event_timestamp: '2026-01-04T00:00:00.000Z', event_type: 'flows/updated', event };
      if (version === '7.0') assertSpecValid('webhooks/flows/updated', body);
      else spec82.assertSpecValid('webhooks/flows/updated', body);
    }
    const flowOf = (v: '7.0' | '8.2') =>
      (flowChangedRenderer(v)(payload, {}) as { flow: Record<string, JsonValue> }).flow;
    const [seven, eight] = [flowOf('7.0'), flowOf('8.2')];
    expect(seven.tags).toEqual({ owner: 'me' });
    expect(seven).not.toHaveProperty('status');
    expect(seven.flow_collection).toEqual(FULL.flow_collection);
    expect(eight.tags).toEqual(FULL.tags);
    expect(eight).toMatchObject({ status: 'ingesting', profile_id: OTHER, colour: 'blue' });
    expect(eight.essence_parameters).toEqual({ frame_width: 1920, frame_height: 1080, vfr: true });
    expect(eight.flow_collection).toEqual([{ id: OTHER }, FULL.flow_collection[1]]);
  });

  it('keeps every field but the timerange, which event documents do not show', () => {
    const payload = flowChangedPayload(FULL);
    const { timerange: _range, ...kept } = FULL;
    expect(Object.keys(payload.flow as object).sort()).toEqual(Object.keys(kept).sort());
    expect(payload.model).toBe(1);
  });

  it("a row recorded before: 7.0's document as it was, adapted for 8.2", () => {
    const doc = flowDocument(FULL, { version: '7.0' }) as unknown as JsonValue;
    const legacy = stored({ flow: doc });
    expect(flowChangedRenderer('7.0')(legacy, {})).toEqual(legacy);
    expect(flowChangedRenderer('8.2')(legacy, {})).toEqual(flowPayloadV8(legacy));
  });
});
