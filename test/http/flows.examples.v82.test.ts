/**
 * Every Flow example of the 8.2 spec is accepted by PUT through /tams/v8.2 and returned intact,
 * every answer valid against 8.2's own schemas (flow-get.json, flow-collection.json, tags.json);
 * the request examples flow-put.json, flow-put-multi.json and flow-collection-put.json included.
 * flow-put-profile.json names a Profile this store does not hold: a 400, as 8.2 says.
 * The examples reuse ids and Sources, so the store is emptied after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, deleteAllFlows, expectError, getAndHead, withoutManaged } from './fixtures.ts';
import { createFlow82, getFlow82 } from './fixtures.v82.ts';

let server: TestServer;
let v8: HttpClient;
beforeAll(async () => {
  server = await startServer({ workers: false });
  v8 = mountClient(server, '/tams/v8.2');
});
afterEach(async () => {
  await deleteAllFlows(server);
});
afterAll(async () => {
  await server?.close();
});

const example = (file: string) => spec82.specExample(file) as Doc;

/** Flows that some example collects but no example describes: minimal stand-ins. */
const STAND_INS: Record<string, Doc> = {
  '32b75860-83e5-48c9-8d6b-de46bdbc7f80': {
    id: '32b75860-83e5-48c9-8d6b-de46bdbc7f80',
    source_id: '6c1f0e0c-3b3c-4a47-9c1a-0d1b8e6a2f10',
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    essence_parameters: { frame_width: 1920, frame_height: 1080, vfr: true },
  },
  '9ba0523e-22a0-4c69-a598-baf4be244a79': {
    id: '9ba0523e-22a0-4c69-a598-baf4be244a79',
    source_id: '1f0bdb2d-e8f3-4d2d-9b27-b71ff0728ed1',
    format: 'urn:x-nmos:format:audio',
    codec: 'audio/aac',
    essence_parameters: { sample_rate: 48000, channels: 1 },
  },
  'c8943cb3-08df-46de-8ce8-0d7d70ed204c': {
    id: 'c8943cb3-08df-46de-8ce8-0d7d70ed204c',
    source_id: '0b7e6d0c-41e6-4b8e-9d5c-5d0c2f6f4c11',
    format: 'urn:x-nmos:format:audio',
    codec: 'audio/aac',
    essence_parameters: { sample_rate: 48000, channels: 2 },
  },
};

/** Member Flows each example collects (by example file or stand-in id), created first. */
const MULTI_MEMBERS = [
  'flow-get-200-video-h264-fmp4.json',
  'flow-put.json',
  'c8943cb3-08df-46de-8ce8-0d7d70ed204c',
];
const MEMBERS: Record<string, string[]> = {
  'flow-get-200-multi.json': MULTI_MEMBERS,
  'flow-put-multi.json': MULTI_MEMBERS,
  'flow-get-200-multi-container-map.json': [
    '32b75860-83e5-48c9-8d6b-de46bdbc7f80',
    'flow-get-200-audio-aac-multi.json',
    '9ba0523e-22a0-4c69-a598-baf4be244a79',
  ],
};

const FLOW_EXAMPLES = [
  'flow-get-200-audio-aac-multi.json',
  'flow-get-200-audio-aac.json',
  'flow-get-200-audio-wav.json',
  'flow-get-200-data-ttml.json',
  'flow-get-200-image-jpeg.json',
  'flow-get-200-multi-container-map.json',
  'flow-get-200-multi.json',
  'flow-get-200-video-h264-cleanfeed.json',
  'flow-get-200-video-h264-fmp4.json',
  'flow-get-200-video-h264-mxf.json',
  'flow-get-200-video-h264-vfr.json',
  'flow-get-200-video-h264.json',
  'flow-get-200-video-jpeg-jp2.json',
  'flow-get-200-video-jpeg-mxf.json',
  'flow-get-200-video-raw.json',
  'flow-put-201.json',
  'flow-put-multi.json',
  'flow-put.json',
];

async function createMembers(file: string): Promise<void> {
  for (const member of MEMBERS[file] ?? []) await createFlow82(v8, STAND_INS[member] ?? example(member));
}

describe('8.2 spec Flow examples through /tams/v8.2', () => {
  it('covers every Flow example of the 8.2 spec but the Profile one', () => {
    const names = spec82.specExampleNames().filter((f) => /^flow-(get-200-|put)/.test(f));
    expect(names.filter((f) => f !== 'flow-put-profile.json')).toEqual(FLOW_EXAMPLES);
  });

  for (const file of FLOW_EXAMPLES) {
    it(`${file}: PUT 201, returned intact by PUT and GET; a second PUT is a 204 no-op`, async () => {
      await createMembers(file);
      const flow = example(file);
      const created = await createFlow82(v8, flow);
      expect(withoutManaged(created)).toEqual(withoutManaged(flow));
      const got = await getFlow82(v8, flow.id as string);
      expect(withoutManaged(got)).toEqual(withoutManaged(flow));

      expect((await v8.put(`/flows/${flow.id}`, flow)).status).toBe(204);
      expect(await getFlow82(v8, flow.id as string)).toEqual(got);

      const source = await getAndHead<Doc>(v8, `/sources/${flow.source_id}`);
      spec82.assertSpecValid('source.json', source.body);
      expect(source.body.format).toBe(flow.format);
    });
  }

  it('flow-collection-put.json is accepted by PUT flow_collection and read back as flow-collection-get-200.json', async () => {
    for (const member of MULTI_MEMBERS) await createFlow82(v8, STAND_INS[member] ?? example(member));
    const { flow_collection: _items, ...multi } = example('flow-put-multi.json');
    await createFlow82(v8, multi);
    const path = `/flows/${multi.id}/flow_collection`;
    expect((await v8.put(path, spec82.specExample('flow-collection-put.json'))).status).toBe(204);
    const got = await getAndHead(v8, path);
    spec82.assertSpecValid('flow-collection.json', got.body);
    expect(got.body).toEqual(spec82.specExample('flow-collection-get-200.json'));
  });

  it('flow-tags-get-200.json is what GET tags returns for a Flow with those tags', async () => {
    const tags = spec82.specExample('flow-tags-get-200.json') as Record<string, string>;
    await createFlow82(v8, { ...example('flow-get-200-video-h264.json'), tags });
    const got = await getAndHead(v8, '/flows/4f79cfd1-c057-47f4-8e4d-1b126ca7bf34/tags');
    spec82.assertSpecValid('tags.json', got.body);
    expect(got.body).toEqual(tags);
  });

  it('flow-put-profile.json: 400, no such Profile in this store; nothing stored', async () => {
    const flow = example('flow-put-profile.json');
    spec82.assertSpecValid('flow-put.json', flow);
    expectError(await v8.put(`/flows/${flow.id}`, flow), 400);
    expectError(await v8.get(`/flows/${flow.id}`), 404);
  });
});
