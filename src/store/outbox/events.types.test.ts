import { describe, expect, it } from 'vitest';
import { CELL_MAX_BYTES, jsonBytes } from '../../common/cells.ts';
import { newObjectId } from '../../common/object-ids.ts';
import { OBJECTS_DELETED, type ObjectsDeletedPayload, objectsDeleted } from './events.types.ts';

describe('objectsDeleted', () => {
  it('splits the ids of a large release over events that each fit one cell, in order', () => {
    const ids = Array.from({ length: 10_000 }, () => newObjectId());
    const at = new Date();
    const events = objectsDeleted(ids, at);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) {
      expect(e.event_type).toBe(OBJECTS_DELETED);
      expect(jsonBytes(e.payload)).toBeLessThanOrEqual(CELL_MAX_BYTES);
    }
    expect(events.flatMap((e) => (e.payload as unknown as ObjectsDeletedPayload).object_ids)).toEqual(ids);
  });

  it('keeps a small release in one event', () => {
    expect(objectsDeleted(['a', 'b'], new Date()).map((e) => e.payload)).toEqual([
      { object_ids: ['a', 'b'] },
    ]);
  });
});
