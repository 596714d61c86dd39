/**
 * Where a caption file's cue times land on its Flow (docs/search.md): cue times are the
 * file's own, X-TIMESTAMP-MAP puts them on the MPEG-TS clock, the segment's ts_offset puts media
 * time on the Flow's timeline, and the cues that then fall outside the segment are dropped. A
 * user sees the drops: in the Flow's search status (`GET /search/status?flow_id=`), as one warn
 * line per segment in the log, and on /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, dataFlow } from '../http/fixtures.ts';
import { addSegments, allocate, upload } from '../segments/helpers.ts';
import { indexed, search, searchEnv } from './search.fixtures.ts';

let server: TestServer;
const logs: string[] = [];
beforeAll(async () => {
  server = await startServer({
    env: { ...searchEnv(), TAMS_METRICS: 'true' },
    logLines: (line) => logs.push(line),
  });
});
afterAll(async () => {
  await server?.close();
});

/** A programme's captions as its caption file has them: from 00:00:01 on, relative to the file. */
const PROGRAMME = `WEBVTT

00:00:01.000 --> 00:00:03.000
The harbour wakes before the town does.

00:00:05.000 --> 00:00:07.000
Gulls circle the returning boats.

00:00:08.000 --> 00:00:09.500
Nets are hauled onto the quay.
`;

/** An HLS WebVTT segment: LOCAL 0 is MPEG-TS 6,570,000 (73 s at 90 kHz). */
const HLS_SEGMENT = `WEBVTT
X-TIMESTAMP-MAP=MPEGTS:6570000,LOCAL:00:00:00.000

00:00:01.000 --> 00:00:03.000
A lighthouse stands at the end of the pier.

00:01:10.000 --> 00:01:12.000
This cue is past the segment's end.
`;

interface FlowStatus {
  flow_id: string;
  timed_text: boolean;
  segments: number;
  cues: number;
  cues_indexed: number;
  cues_outside: number;
  segments_with_cues_outside: number;
  most_outside?: {
    timerange: string;
    object_id: string;
    ts_offset?: string;
    cues: number;
    cues_outside: number;
    cue_times: string;
  };
  failed: number;
  failures: unknown[];
}

interface Status {
  up_to_date: boolean;
  cues_outside: number;
  flows_with_cues_outside: {
    flow_id: string;
    label?: string;
    cues_outside: number;
    segments_with_cues_outside: number;
  }[];
  failed_items: number;
  flow?: FlowStatus;
}

/** A WebVTT data Flow with one segment of `vtt` at `timerange`; returns the Flow and object ids. */
async function captionFlow(
  vtt: string,
  timerange: string,
  tsOffset?: string,
): Promise<{ flowId: string; objectId: string }> {
  const flow = dataFlow({
    label: 'Harbour documentary (captions)',
    codec: 'text/vtt',
    container: 'text/vtt',
  });
  await createFlow(server, flow);
  const flowId = flow.id as string;
  const [object] = await allocate(server, flowId, { limit: 1 });
  if (object === undefined) throw new Error('no object allocated');
  await upload(object, Buffer.from(vtt, 'utf8'));
  await addSegments(server, flowId, {
    object_id: object.object_id,
    timerange,
    ...(tsOffset !== undefined && { ts_offset: tsOffset }),
  });
  return { flowId, objectId: object.object_id };
}

async function flowStatus(flowId: string): Promise<Status & { flow: FlowStatus }> {
  await indexed(server);
  const res = await server.get<Status & { flow: FlowStatus }>('/search/status', {
    query: { flow_id: flowId },
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const keyword = async (q: string, flowId: string) =>
  (await search(server, { q, mode: 'keyword', kind: 'caption', flow_id: flowId })).body.hits.map(
    (h) => h.timerange,
  );

function outsideLines(flowId: string): Record<string, unknown>[] {
  return logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((l) => l.flow_id === flowId && /outside their segment/.test(String(l.msg)));
}

describe('cues outside their segment', () => {
  it("are reported in the Flow's search status, once in the log and on /metrics", async () => {
    // As the field report had it: the file registered at [73:0_140:0) without ts_offset.
    const { flowId, objectId } = await captionFlow(PROGRAMME, '[73:0_140:0)');
    const status = await flowStatus(flowId);
    expect(status.flow).toMatchObject({
      flow_id: flowId,
      timed_text: true,
      segments: 1,
      cues: 3,
      cues_indexed: 0,
      cues_outside: 3,
      segments_with_cues_outside: 1,
      most_outside: {
        timerange: '[73:0_140:0)',
        object_id: objectId,
        cues: 3,
        cues_outside: 3,
        // Where the cues were, on the Flow's timeline: what ts_offset has to move.
        cue_times: '[1:0_9:500000000)',
      },
      failed: 0,
    });
    expect(status.cues_outside).toBeGreaterThanOrEqual(3);
    expect(await keyword('harbour', flowId)).toEqual([]);
    // The whole index's status names the Flow, for a search that finds nothing to say where.
    const whole = await server.get<Status>('/search/status');
    expect(whole.body.flows_with_cues_outside).toContainEqual({
      flow_id: flowId,
      label: 'Harbour documentary (captions)',
      cues_outside: 3,
      segments_with_cues_outside: 1,
    });

    // One warn line for the segment, not one per cue.
    const lines = outsideLines(flowId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, object_id: objectId, timerange: '[73:0_140:0)', outside: 3 });

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/^tams_search_cues_outside_segment (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('are placed on the segment by its ts_offset (media time + ts_offset)', async () => {
    const { flowId } = await captionFlow(PROGRAMME, '[73:0_140:0)', '73:0');
    const status = await flowStatus(flowId);
    expect(status.flow).toMatchObject({ cues: 3, cues_indexed: 3, cues_outside: 0 });
    expect(status.flow.most_outside).toBeUndefined();
    expect(await keyword('harbour', flowId)).toEqual(['[74:0_76:0)']);
    expect(outsideLines(flowId)).toHaveLength(0);
  });

  it('honour an HLS X-TIMESTAMP-MAP: cue times on the 90 kHz MPEG-TS clock', async () => {
    const { flowId } = await captionFlow(HLS_SEGMENT, '[73:0_140:0)');
    const status = await flowStatus(flowId);
    expect(status.flow).toMatchObject({ cues: 2, cues_indexed: 1, cues_outside: 1 });
    expect(status.flow.most_outside?.cue_times).toBe('[74:0_145:0)');
    expect(await keyword('lighthouse', flowId)).toEqual(['[74:0_76:0)']);
  });

  it('leave the counts with their segment when it is deleted', async () => {
    const { flowId } = await captionFlow(PROGRAMME, '[73:0_140:0)');
    expect((await flowStatus(flowId)).flow.cues_outside).toBe(3);
    const before = (await flowStatus(flowId)).cues_outside;
    const deleted = await server.delete(`/flows/${flowId}/segments`, {
      query: { timerange: '[73:0_140:0)' },
    });
    expect(deleted.status, deleted.text).toBeLessThan(300);
    const after = await flowStatus(flowId);
    expect(after.flow).toMatchObject({ segments: 0, cues: 0, cues_outside: 0 });
    expect(after.cues_outside).toBe(before - 3);
    expect(after.flows_with_cues_outside.map((f) => f.flow_id)).not.toContain(flowId);
  });

  it('answers 404 for an unknown Flow and 400 for a malformed id', async () => {
    const missing = await server.get('/search/status', {
      query: { flow_id: '3ba8e5b6-6f7c-4c8e-9b77-2c0f8f3f1d11' },
    });
    expect(missing.status).toBe(404);
    const bad = await server.get('/search/status', { query: { flow_id: 'nope' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body as object).sort()).toEqual(['message', 'summary', 'time', 'type']);
  });
});
