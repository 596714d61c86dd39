/**
 * Media search end to end: a programme ingested through the ordinary TAMS API (a video Flow and
 * a WebVTT data Flow collected by a multi Flow), indexed by following the outbox, searched for a
 * spoken phrase; the hit's reference plays the cue's moment, and deleting that video takes the
 * hit away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import type { Segment } from '../segments/helpers.ts';
import { indexed, programme, search, searchEnv, webvtt } from './search.fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: searchEnv() });
});
afterAll(async () => {
  await server?.close();
});

const NS = 1_000_000_000n;

/** [start, end) of a TAMS timerange string in nanoseconds. */
function bounds(timerange: string): [bigint, bigint] {
  const m = /^[[(](\d+):(\d+)_(\d+):(\d+)[)\]]$/.exec(timerange);
  if (!m) throw new Error(`unexpected timerange ${timerange}`);
  const [, s, sn, e, en] = m as unknown as string[];
  return [BigInt(s as string) * NS + BigInt(sn as string), BigInt(e as string) * NS + BigInt(en as string)];
}

describe('media search through the TAMS API', () => {
  it('finds a spoken phrase, plays it from its reference, and loses it with its video', async () => {
    const p = await programme(server, {
      label: 'Evening news',
      videoSeconds: 60,
      captions: [
        [
          0,
          30,
          webvtt([
            [3, 6, 'Good evening, and welcome to the programme.'],
            [12.5, 16, '<v Anna Price>The finance minister announced the budget for next year today.'],
            [21, 25, 'Opposition leaders called it a missed opportunity.'],
          ]),
        ],
        [30, 60, webvtt([[41, 44, 'Heavy rain is expected across the north tonight.']])],
      ],
    });
    await indexed(server);

    const found = await search(server, { q: 'minister budget', mode: 'keyword' });
    expect(found.status, found.text).toBe(200);
    const hit = found.body.hits[0];
    expect(hit).toMatchObject({
      kind: 'caption',
      flow_id: p.video,
      text_flow_id: p.captions,
      timerange: '[12:500000000_16:0)',
      speaker: 'Anna Price',
    });
    expect(hit?.snippet.html).toContain('<mark>minister</mark>');
    expect(hit?.snippet.html).toContain('<mark>budget</mark>');
    expect(found.body.hits.map((h) => h.timerange)).not.toContain('[41:0_44:0)');

    // The reference is the video's segments over the moment: they cover the cue.
    const reference = hit?.reference ?? '';
    expect(reference).toMatch(new RegExp(`/flows/${p.video}/segments\\?timerange=`));
    const res = await fetch(reference);
    expect(res.status).toBe(200);
    const segments = (await res.json()) as Segment[];
    const [cueStart, cueEnd] = bounds(hit?.timerange ?? '');
    const covered = segments.map((s) => bounds(s.timerange)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(covered[0]?.[0]).toBeLessThanOrEqual(cueStart);
    expect(covered.at(-1)?.[1]).toBeGreaterThanOrEqual(cueEnd);

    // Delete the video there: the moment no longer plays, so the hit is gone at once, and stays
    // gone once the index has followed the deletion.
    const deleted = await server.delete(`/flows/${p.video}/segments`, {
      query: { timerange: '[10:0_20:0)' },
    });
    expect(deleted.status, deleted.text).toBe(204);
    const after = await search(server, { q: 'minister budget', mode: 'keyword' });
    expect(after.body.hits.filter((h) => h.timerange === '[12:500000000_16:0)')).toEqual([]);
    await indexed(server);
    const later = await search(server, { q: 'minister budget', mode: 'keyword' });
    expect(later.body.hits.some((h) => h.timerange === '[12:500000000_16:0)')).toBe(false);
    // The other cues still play.
    const rain = await search(server, { q: 'heavy rain', mode: 'keyword' });
    expect(rain.body.hits[0]).toMatchObject({ kind: 'caption', flow_id: p.video, timerange: '[41:0_44:0)' });
  });

  it('drops the hits of deleted captions once the index follows, and of a deleted Flow at once', async () => {
    const p = await programme(server, {
      label: 'Cookery hour',
      videoSeconds: 30,
      captions: [[0, 30, webvtt([[5, 9, 'Whisk the saffron into the warm cream slowly.']])]],
    });
    await indexed(server);
    expect((await search(server, { q: 'saffron', mode: 'keyword' })).body.hits).toHaveLength(1);
    const gone = await server.delete(`/flows/${p.captions}/segments`, { query: { timerange: '_' } });
    expect(gone.status, gone.text).toBe(204);
    await indexed(server);
    expect((await search(server, { q: 'saffron', mode: 'keyword' })).body.hits).toHaveLength(0);

    const q = await programme(server, {
      label: 'Garden diary',
      videoSeconds: 20,
      captions: [[0, 20, webvtt([[2, 6, 'Prune the wisteria after it flowers.']])]],
    });
    await indexed(server);
    expect((await search(server, { q: 'wisteria', mode: 'keyword' })).body.hits).toHaveLength(1);
    expect((await server.delete(`/flows/${q.video}`)).status).toBe(204);
    expect((await search(server, { q: 'wisteria', mode: 'keyword' })).body.hits).toHaveLength(0);
  });
});
