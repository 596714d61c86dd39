import { describe, expect, it } from 'vitest';
import { CaptionCues, CaptionRun } from './recorder.captions.ts';
import type { PlacedSegment } from './recorder.timeline.ts';
import { readVtt } from './recorder.webvtt.ts';

function placed(n: number): PlacedSegment {
  const start = BigInt(n) * 2_000_000_000n;
  return {
    start,
    end: start + 2_000_000_000n,
    timerange: `[${n * 2}:0_${n * 2 + 2}:0)`,
    tsOffset: '0:0',
    tsOffsetNs: 0n,
    anchored: n === 0,
  };
}

describe('CaptionRun', () => {
  const pts = (n: number) => ({ startPts: BigInt(n) * 180_000n, endPts: BigInt(n + 1) * 180_000n });

  it('writes each video segment its captions one segment late, a repeated cue once', async () => {
    const cues = new CaptionCues();
    const written: [string, string][] = [];
    const run = new CaptionRun(
      cues,
      () => true,
      async (vtt, at) => void written.push([at.timerange, vtt]),
    );
    const cue = { start: 90_000n, end: 270_000n, settings: '', payload: 'Across' };
    cues.add([cue]);
    await run.videoPlaced(placed(0), pts(0));
    expect(written).toHaveLength(0);
    // The next subtitle segment repeats the cue that spans both.
    cues.add([{ ...cue }]);
    await run.videoPlaced(placed(1), pts(1));
    await run.flush();
    expect(written.map(([range]) => range)).toEqual(['[0:0_2:0)', '[2:0_4:0)']);
    expect(written.map(([, vtt]) => readVtt(vtt).map((c) => [c.start, c.end]))).toEqual([
      [[90_000n, 180_000n]],
      [[180_000n, 270_000n]],
    ]);
  });

  it('writes an empty segment where there were no cues, and nothing while the rendition is not read', async () => {
    const cues = new CaptionCues();
    let reading = true;
    const written: string[] = [];
    const run = new CaptionRun(
      cues,
      () => reading,
      async (_vtt, at) => void written.push(at.timerange),
    );
    await run.videoPlaced(placed(0), pts(0));
    await run.videoPlaced(placed(1), pts(1));
    reading = false;
    await run.videoPlaced(placed(2), pts(2));
    await run.flush();
    expect(written).toEqual(['[0:0_2:0)']);
  });
});
