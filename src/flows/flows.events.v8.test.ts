import { describe, expect, it } from 'vitest';
import { assertSpecValid } from '../../test/helpers/spec-schemas.ts';
import { spec82 } from '../../test/helpers/spec82-schemas.ts';
import type { JsonValue } from '../db/db.types.ts';
import { flowPayloadV8 } from './flows.events.v8.ts';

const ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';
const SOURCE = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const event = (flow: Record<string, JsonValue>) => ({
  event_timestamp: '2026-01-01T00:00:00.000Z',
  event_type: 'flows/created',
  event: flowPayloadV8({ flow }) as Record<string, JsonValue>,
});
const valid82 = (flow: Record<string, JsonValue>) => {
  const doc = event(flow);
  spec82.assertSpecValid('webhooks/flows/created', doc);
  return (doc.event as { flow: Record<string, JsonValue> }).flow;
};

describe("flows/created and flows/updated for 8.2 webhooks, from 7.0's documents recorded before the model", () => {
  const video = {
    id: ID,
    source_id: SOURCE,
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    essence_parameters: { frame_width: 1920, frame_height: 1080 },
  };

  it('a video Flow without frame_rate is vfr; one with frame_rate is as it was', () => {
    assertSpecValid('flow.json', video);
    expect(spec82.specValidator('webhooks/flows/created')({ ...event(video), event: { flow: video } })).toBe(
      false,
    );
    expect(valid82(video).essence_parameters).toEqual({ ...video.essence_parameters, vfr: true });
    const rated = {
      ...video,
      essence_parameters: { ...video.essence_parameters, frame_rate: { numerator: 25 } },
    };
    expect(valid82(rated)).toEqual(rated);
  });

  it("a 7.0 client's own status and profile_id are left out; other extras stay", () => {
    const extras = { ...video, status: 'live', profile_id: 'house', colour: 'blue' };
    assertSpecValid('flow.json', extras);
    const flow = valid82(extras);
    expect(flow).not.toHaveProperty('status');
    expect(flow).not.toHaveProperty('profile_id');
    expect(flow.colour).toBe('blue');
  });

  it('a multi Flow keeps only a boolean init_segments of its essence_parameters', () => {
    const multi = { id: ID, source_id: SOURCE, format: 'urn:x-nmos:format:multi' };
    expect(valid82({ ...multi, essence_parameters: { layout: 'x' } })).toEqual(multi);
    expect(valid82({ ...multi, essence_parameters: 'anything' })).toEqual(multi);
    expect(valid82({ ...multi, essence_parameters: { init_segments: true, layout: 'x' } })).toEqual({
      ...multi,
      essence_parameters: { init_segments: true },
    });
    expect(valid82(multi)).toEqual(multi);
  });

  it('leaves what is not a Flow event as it is', () => {
    expect(flowPayloadV8({ flow_id: ID })).toEqual({ flow_id: ID });
    expect(flowPayloadV8(null)).toBeNull();
  });
});
