import { describe, expect, it } from 'vitest';
import type { ObjectRecord } from '../../store/objects.repo.ts';
import { packPending, unpackPending } from './pending-objects.ts';

const flow = '9f0a6c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b';
const created = new Date('2026-11-22T10:00:00.123Z');
const noFlows = () => undefined;

describe('pending objects', () => {
  const cases: [string, ObjectRecord][] = [
    [
      'default key',
      {
        id: 'obj-1',
        storage_id: 's3-main',
        storage_path: `${flow}/obj-1`,
        allocated_for: flow,
        created,
        registered: false,
      },
    ],
    [
      'key of its own',
      {
        id: 'obj-2',
        storage_id: 's3-main',
        storage_path: `elsewhere/obj-2`,
        allocated_for: flow,
        created,
        registered: false,
      },
    ],
    ['no Flow', { id: 'obj-3', storage_id: 's3-main', storage_path: 'x/obj-3', created, registered: false }],
    ['no location', { id: 'obj-4', allocated_for: flow, created, registered: false }],
    ['nothing but the id', { id: 'obj-5', created, registered: false }],
  ];
  for (const [name, record] of cases) {
    it(`gives back the record it was made from: ${name}`, () => {
      const packed = packPending(record, noFlows);
      expect(unpackPending(record.id, packed)).toEqual(record);
    });
  }

  it('leaves the default key out and keeps any other', () => {
    expect(packPending(cases[0]?.[1] as ObjectRecord, noFlows).path).toBeUndefined();
    expect(packPending(cases[1]?.[1] as ObjectRecord, noFlows).path).toBe('elsewhere/obj-2');
    expect(packPending(cases[3]?.[1] as ObjectRecord, noFlows).path).toBeNull();
  });

  it("shares the cached Flow's id string", () => {
    const cachedId = `${flow}`;
    const packed = packPending(cases[0]?.[1] as ObjectRecord, (id) => (id === flow ? cachedId : undefined));
    expect(packed.allocated_for).toBe(cachedId);
    const unknown = packPending({ ...(cases[0]?.[1] as ObjectRecord), allocated_for: 'other' }, noFlows);
    expect(unknown.allocated_for).toBe('other');
  });
});
