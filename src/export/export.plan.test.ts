import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../common/errors.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeRange } from '../time/index.ts';
import { contentDisposition, exportFileName } from './export.name.ts';
import { exportKind, initObjectOf, segmentParts } from './export.plan.ts';

const S = 1_000_000_000n;

function segment(i: number, extra: Partial<SegmentRecord> = {}): SegmentRecord {
  return {
    flow_id: 'f',
    object_id: `o${i}`,
    timerange: TimeRange.from(BigInt(i) * S, BigInt(i + 1) * S, { endInclusive: false }),
    storage: { id: 'b', path: `k/o${i}` },
    ...extra,
  };
}

const stored = (s: SegmentRecord) =>
  s.storage ? { storageId: s.storage.id, path: s.storage.path } : { refusal: 'only uncontrolled URLs' };

function flow(container: string | undefined, extra: Partial<FlowRecord> = {}): FlowRecord {
  return { id: 'f1', container, collected_by: [], tags: {}, ...extra } as FlowRecord;
}

describe('exportKind', () => {
  it('sends MPEG-TS as it is and fragmented MP4 as MP4', () => {
    expect(exportKind(flow('video/mp2t'))).toMatchObject({ contentType: 'video/mp2t', extension: 'ts' });
    expect(exportKind(flow('video/mp4'))).toMatchObject({ contentType: 'video/mp4', extension: 'mp4' });
    expect(exportKind(flow('audio/mp4'))).toMatchObject({ contentType: 'audio/mp4', extension: 'm4a' });
  });

  it('refuses what does not concatenate into one file, saying why', () => {
    expect(() => exportKind(flow('text/vtt'))).toThrow(/container text\/vtt/);
    expect(() => exportKind(flow(undefined, { collected_by: ['m1'] }))).toThrow(/export m1/);
  });
});

describe('segmentParts', () => {
  it('lists each object once where consecutive segments share it', () => {
    const parts = segmentParts([segment(0), segment(1), segment(2, { object_id: 'o1' }), segment(3)], stored);
    expect(parts.map((p) => p.objectId)).toEqual(['o0', 'o1', 'o3']);
  });

  it('refuses segments whose objects no backend of the server holds, naming them', () => {
    const segments = [segment(0), segment(1, { storage: undefined }), segment(2)];
    expect(() => segmentParts(segments, stored)).toThrow(BadRequestError);
    expect(() => segmentParts(segments, stored)).toThrow(
      /1 segment of the timerange: \[1:0_2:0\) \(object o1\)/,
    );
  });
});

describe('initObjectOf', () => {
  it("takes the segments' init object, else the Flow's tag", () => {
    expect(initObjectOf([segment(0), segment(1)], 'tagged')).toBe('tagged');
    expect(
      initObjectOf([segment(0, { init_object_id: 'i' }), segment(1, { init_object_id: 'i' })], 't'),
    ).toBe('i');
    expect(initObjectOf([segment(0)], undefined)).toBeUndefined();
  });

  it('refuses an init segment that changes, saying where and what to export instead', () => {
    const segments = [segment(0, { init_object_id: 'a' }), segment(1, { init_object_id: 'a' }), segment(2)];
    expect(() => initObjectOf(segments, undefined)).toThrow(
      /changes within the timerange, at \[2:0_3:0\) \(from object a to none\).*Export \[0:0_2:0\)/,
    );
  });
});

describe('file names', () => {
  it('names the file by label slug, UTC start and duration, in [A-Za-z0-9._-] only', () => {
    const T = 1_700_000_037n * S;
    const covered = TimeRange.from(T + S, T + 4n * S);
    expect(exportFileName({ id: 'f1', label: 'cam-1' }, covered, 'ts')).toBe(
      'cam-1_20231114T221321Z_PT3S.ts',
    );
    const half = TimeRange.from(T + S + S / 2n, T + 3723n * S + 40_000_000n);
    expect(exportFileName({ id: 'f1' }, half, 'mp4')).toBe('f1_20231114T221321Z_PT1H2M1.54S.mp4');
    expect(exportFileName({ id: 'f1', label: ' .Caméra (1) "A"/b. ' }, covered, 'ts')).toBe(
      'Camera-1-A-b_20231114T221321Z_PT3S.ts',
    );
    expect(exportFileName({ id: 'f1', label: '((()))' }, covered, 'ts')).toBe('f1_20231114T221321Z_PT3S.ts');
  });

  it('gives an ASCII name, and the label as it is in filename*', () => {
    expect(contentDisposition('cam-1_1-3.ts')).toBe('attachment; filename="cam-1_1-3.ts"');
    expect(contentDisposition('Caméra "1"/a_1-3.ts')).toBe(
      `attachment; filename="Cam_ra_1_a_1-3.ts"; filename*=UTF-8''Cam%C3%A9ra%20%221%22%2Fa_1-3.ts`,
    );
  });
});
