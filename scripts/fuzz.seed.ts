/**
 * The data `npm run fuzz` puts in the store before schemathesis starts: without it nearly every
 * operation with an id in its path answers 404 and the fuzzer never reaches the rules behind it.
 * The ids end up in schemathesis dictionaries (test/fuzz/schemathesis.toml), which the fuzzer
 * draws path parameters from most of the time, generating its own for the rest.
 */

/** The identifiers of what was seeded, by dictionary name (one `<name>.dict` file each). */
export type Dictionaries = Record<
  'flows' | 'doomed-flows' | 'sources' | 'objects' | 'delete-requests' | 'timeranges',
  string[]
>;

// Fixed ids (the fuzzer's choices, and so its findings, repeat with the seed).
const id = (n: number) => `5eed0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const VIDEO = id(1);
const AUDIO = id(2);
const DATA = id(3);
const MULTI = id(4);
const READ_ONLY = id(5);
const DOOMED = [id(6), id(7), id(8)];
const DELETED = id(9);
const source = (flow: string) => flow.replace('5eed0000', '5eed5000');

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

function video(flowId: string, extra: object = {}) {
  return {
    id: flowId,
    source_id: source(flowId),
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    label: 'fuzz video',
    description: 'seeded by npm run fuzz',
    tags: { genre: 'news', take: '2' },
    essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
    ...extra,
  };
}

/** Segments of `flowId`: `count` external objects (get_urls) at 1 s each, from `from` seconds. */
function segments(flowId: string, count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => ({
    object_id: `${flowId}-ext-${from + i}`,
    timerange: `[${from + i}:0_${from + i + 1}:0)`,
    sample_offset: 0,
    sample_count: 25,
    key_frame_count: 1,
    get_urls: [{ url: `https://media.example.com/${flowId}/${from + i}.ts`, label: 'external' }],
  }));
}

export async function seed(call: Call): Promise<Dictionaries> {
  await call('PUT', `/flows/${VIDEO}`, video(VIDEO));
  await call('PUT', `/flows/${AUDIO}`, {
    id: AUDIO,
    source_id: source(AUDIO),
    format: 'urn:x-nmos:format:audio',
    codec: 'audio/aac',
    container: 'video/mp2t',
    essence_parameters: { sample_rate: 48000, channels: 2, bit_depth: 24 },
  });
  await call('PUT', `/flows/${DATA}`, {
    id: DATA,
    source_id: source(DATA),
    format: 'urn:x-nmos:format:data',
    codec: 'application/ttml+xml',
    container: 'application/ttml+xml',
    essence_parameters: { data_type: 'urn:x-tams:data:subtitle' },
  });
  await call('PUT', `/flows/${MULTI}`, {
    id: MULTI,
    source_id: source(MULTI),
    format: 'urn:x-nmos:format:multi',
    container: 'video/mp2t',
    flow_collection: [
      { id: VIDEO, role: 'video' },
      { id: AUDIO, role: 'audio' },
    ],
  });
  await call('PUT', `/flows/${READ_ONLY}`, video(READ_ONLY));
  await call('POST', `/flows/${READ_ONLY}/segments`, segments(READ_ONLY, 2));
  await call('PUT', `/flows/${READ_ONLY}/read_only`, true);

  // Objects of both kinds: external (get_urls) and allocated by the store (registered or not).
  await call('POST', `/flows/${VIDEO}/segments`, segments(VIDEO, 20));
  const storage = (await call('POST', `/flows/${VIDEO}/storage`, { limit: 3 })) as {
    media_objects: { object_id: string }[];
  };
  const allocated = storage.media_objects.map((o) => o.object_id);
  await call(
    'POST',
    `/flows/${VIDEO}/segments`,
    allocated
      .slice(0, 2)
      .map((objectId, i) => ({ object_id: objectId, timerange: `[${100 + i}:0_${101 + i}:0)` })),
  );
  for (const flowId of DOOMED) {
    await call('PUT', `/flows/${flowId}`, video(flowId));
    await call('POST', `/flows/${flowId}/segments`, segments(flowId, 3));
  }

  // A Flow deleted in the background: TAMS_DELETE_SYNC_LIMIT=1 (scripts/fuzz.ts) makes its two
  // segments more than a request deletes itself, and the 202 names the flow delete request.
  await call('PUT', `/flows/${DELETED}`, video(DELETED));
  await call('POST', `/flows/${DELETED}/segments`, segments(DELETED, 2));
  const request = (await call('DELETE', `/flows/${DELETED}`)) as { id: string };

  const flows = [VIDEO, AUDIO, DATA, MULTI, READ_ONLY];
  return {
    flows,
    'doomed-flows': DOOMED,
    sources: [...flows, ...DOOMED].map(source),
    objects: [...allocated, `${VIDEO}-ext-0`, `${VIDEO}-ext-7`, `${READ_ONLY}-ext-1`],
    'delete-requests': [request.id],
    // Distinct half-second ranges clear of the seeded segments: a segment registered with one
    // seldom overlaps another, so the checks after the timeline's (and the write) are reached.
    timeranges: Array.from({ length: 500 }, (_, i) => `[${1000 + i}:0_${1000 + i}:500000000)`),
  };
}
