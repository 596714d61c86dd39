import { describe, expect, it } from 'vitest';
import { CELL_MAX_BYTES } from '../../common/cells.ts';
import type { SegmentRecord } from '../../store/segments.repo.ts';
import type { FlowRecord } from '../../store/store.types.ts';
import { TimeRange } from '../../time/index.ts';
import { captionDocs, flowDoc } from './search.extract.ts';
import { IndexPlan } from './search.indexplan.ts';

const S = 1_000_000_000n;

const flow: FlowRecord = {
  id: 'f1',
  source_id: 's1',
  format: 'urn:x-nmos:format:data',
  codec: 'text/vtt',
  label: 'Evening news captions',
  description: 'Subtitles of the bulletin',
  created: new Date(0),
  metadata_updated: new Date(0),
  metadata_version: 'v',
  extra: {},
  tags: { genre: 'news', language: ['en', 'cy'] },
  collected_by: [],
  timerange: TimeRange.EMPTY,
  essence_parameters: { frame_width: 1920, frame_rate: { numerator: 25 } },
};

function segment(start: bigint, end: bigint, tsOffset?: bigint, endInclusive = false): SegmentRecord {
  return {
    flow_id: 'f1',
    object_id: 'o1',
    timerange: TimeRange.from(start, end, { endInclusive }),
    ...(tsOffset !== undefined && { ts_offset: tsOffset }),
  };
}

const cue = (start: bigint, end: bigint, text = 'words') => ({ start, end, text });

describe('caption documents', () => {
  it('places cues on the Flow timeline with ts_offset (segment ts = media ts + ts_offset)', () => {
    const { docs, outside } = captionDocs(flow, segment(3600n * S, 3610n * S, 3600n * S), [
      cue(1n * S, 3n * S, 'first'),
      cue(4n * S, 6n * S, 'second'),
    ]);
    expect(outside).toBe(0);
    expect(docs.map((d) => [d.time_start, d.time_end, d.text])).toEqual([
      [3601n * S, 3603n * S, 'first'],
      [3604n * S, 3606n * S, 'second'],
    ]);
    expect(docs[0]).toMatchObject({
      kind: 'caption',
      flow_id: 'f1',
      source_id: 's1',
      seg_start: 3600n * S,
      object_id: 'o1',
    });
    expect(docs.map((d) => d.doc_key)).toEqual([
      `caption:f1:${3600n * S}:o1:0`,
      `caption:f1:${3600n * S}:o1:1`,
    ]);
  });

  it('reads media times as Flow times without ts_offset, clips to the segment and drops what is outside', () => {
    const { docs, outside, empty, span } = captionDocs(flow, segment(10n * S, 20n * S), [
      cue(1n * S, 3n * S),
      cue(9n * S, 12n * S),
      cue(18n * S, 25n * S),
      cue(30n * S, 31n * S),
      cue(12n * S, 13n * S, '   '),
    ]);
    expect(docs.map((d) => [d.time_start, d.time_end])).toEqual([
      [10n * S, 12n * S],
      [18n * S, 20n * S],
    ]);
    expect(outside).toBe(2);
    expect(empty).toBe(1);
    expect(span).toEqual({ start: 1n * S, end: 31n * S });
  });

  it('keeps the last instant of a segment whose end is inclusive', () => {
    const { docs } = captionDocs(flow, segment(0n, 10n * S, undefined, true), [cue(9n * S, 11n * S)]);
    expect(docs.map((d) => d.time_end)).toEqual([10n * S + 1n]);
  });
});

describe('metadata documents', () => {
  it("hold a Flow's label, description, tags, format, codec and essence parameters as words", () => {
    const text = flowDoc(flow).text;
    for (const part of [
      'Evening news captions',
      'Subtitles of the bulletin',
      'genre: news',
      'language: en, cy',
      'data',
      'text/vtt',
      'frame width 1920',
      'frame rate numerator 25',
    ]) {
      expect(text).toContain(part);
    }
  });
});

describe('an indexer batch plan', () => {
  it('drops additions a later removal of the batch covers, by key, Flow, segment or transcript', () => {
    const plan = new IndexPlan();
    const { docs } = captionDocs(flow, segment(0n, 10n * S), [cue(1n * S, 2n * S), cue(3n * S, 4n * S)]);
    for (const d of docs) plan.add(d);
    plan.add(flowDoc(flow));
    plan.add({
      doc_key: 'transcript:t1:0',
      kind: 'transcript',
      transcript_id: 't1',
      flow_id: 'f2',
      text: 'x',
    });
    plan.add({
      doc_key: 'transcript:t2:0',
      kind: 'transcript',
      transcript_id: 't2',
      flow_id: 'f2',
      text: 'y',
    });
    plan.remove({ kind: 'segment', flowId: 'f1', segStart: 0n, objectId: 'o1' });
    expect([...plan.additions.keys()]).toEqual(['flow:f1', 'transcript:t1:0', 'transcript:t2:0']);
    plan.remove({ kind: 'transcript', transcriptId: 't1' });
    plan.remove({ kind: 'keys', keys: ['flow:f1'] });
    expect([...plan.additions.keys()]).toEqual(['transcript:t2:0']);
    plan.remove({ kind: 'flow', flowId: 'f2' });
    expect(plan.additions.size).toBe(0);
    expect(plan.removals).toHaveLength(4);
  });
});

describe('Flow documents', () => {
  it('index the start of words that cannot fit in one cell, whole when they do', () => {
    // Essence parameters spelled out repeat their names: 4,000 lines of ~1 KB from a small Flow.
    const name = 'n'.repeat(1000);
    const wide = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`k${i}`, i]));
    const doc = flowDoc({ ...flow, essence_parameters: { [name]: wide } });
    expect(Buffer.byteLength(doc.text)).toBeLessThanOrEqual(CELL_MAX_BYTES);
    expect(Buffer.byteLength(doc.text)).toBeGreaterThan(CELL_MAX_BYTES - 1100);
    expect(doc.text.startsWith('Evening news captions\nSubtitles of the bulletin\ngenre: news')).toBe(true);
    expect(flowDoc(flow).text).toContain('frame rate numerator 25');
  });
});
