/**
 * Every Flow example of the 7.0 spec is accepted by PUT and returned intact. The examples reuse
 * ids and Sources with different formats (e85efab4... is both a data Flow and a multi Flow), so
 * the store is emptied after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid, specExample, specExampleNames } from '../helpers/spec-schemas.ts';
import { createFlow, type Doc, deleteAllFlows, getFlow, getSource, withoutManaged } from './fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  await deleteAllFlows(server);
});
afterAll(async () => {
  await server.close();
});

const example = (file: string) => specExample(file) as Doc;

/** Flows that some example collects but no example describes: minimal stand-ins. */
const STAND_INS: Record<string, Doc> = {
  '32b75860-83e5-48c9-8d6b-de46bdbc7f80': {
    id: '32b75860-83e5-48c9-8d6b-de46bdbc7f80',
    source_id: '6c1f0e0c-3b3c-4a47-9c1a-0d1b8e6a2f10',
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    essence_parameters: { frame_width: 1920, frame_height: 1080 },
  },
  '9ba0523e-22a0-4c69-a598-baf4be244a79': {
    id: '9ba0523e-22a0-4c69-a598-baf4be244a79',
    source_id: '1f0bdb2d-e8f3-4d2d-9b27-b71ff0728ed1',
    format: 'urn:x-nmos:format:audio',
    codec: 'audio/aac',
    essence_parameters: { sample_rate: 48000, channels: 1 },
  },
};

/** Member Flows each example collects, by example file or stand-in id, created first. */
const MEMBERS: Record<string, string[]> = {
  'flow-get-200-multi.json': ['flow-get-200-video-h264.json', 'flow-put.json'],
  'flow-put-multi.json': ['flow-get-200-video-h264.json', 'flow-put.json'],
  'flow-get-200-multi-container-map.json': [
    '32b75860-83e5-48c9-8d6b-de46bdbc7f80',
    'flow-get-200-audio-aac-multi.json',
    '9ba0523e-22a0-4c69-a598-baf4be244a79',
  ],
};

const FLOW_EXAMPLES = [
  'flow-get-200-audio-aac-multi.json',
  'flow-get-200-audio-aac.json',
  'flow-get-200-data-ttml.json',
  'flow-get-200-image-jpeg.json',
  'flow-get-200-multi-container-map.json',
  'flow-get-200-multi.json',
  'flow-get-200-video-h264.json',
  'flow-get-200-video-raw.json',
  'flow-put-201.json',
  'flow-put-multi.json',
  'flow-put.json',
];

async function createMembers(file: string): Promise<void> {
  for (const member of MEMBERS[file] ?? []) {
    await createFlow(server, STAND_INS[member] ?? example(member));
  }
}

describe('spec Flow examples', () => {
  it('covers every flow example of the spec', () => {
    expect(specExampleNames().filter((f) => /^flow-(get-200-|put)/.test(f))).toEqual(FLOW_EXAMPLES);
  });

  for (const file of FLOW_EXAMPLES) {
    it(`${file}: PUT 201, returned intact by PUT and GET; a second PUT is a 204 no-op`, async () => {
      await createMembers(file);
      const flow = example(file);
      const put = await server.put<Doc>(`/flows/${flow.id}`, flow);
      expect(put.status, put.text).toBe(201);
      assertSpecValid('flow.json', put.body);
      expect(withoutManaged(put.body)).toEqual(withoutManaged(flow));

      const got = await getFlow(server, flow.id as string);
      expect(withoutManaged(got)).toEqual(withoutManaged(flow));
      expect(got.created).not.toBe(flow.created);

      const again = await server.put(`/flows/${flow.id}`, flow);
      expect(again.status).toBe(204);
      const same = await getFlow(server, flow.id as string);
      expect(same.metadata_version).toBe(got.metadata_version);
      expect(same).toEqual(got);

      const source = await getSource(server, flow.source_id as string);
      expect(source.format).toBe(flow.format);
    });
  }

  it('reproduces the examples’ collected_by once their collectors are stored', async () => {
    await createFlow(server, example('flow-get-200-video-h264.json'));
    await createFlow(server, example('flow-get-200-audio-aac.json'));
    await createFlow(server, example('flow-get-200-multi.json'));
    for (const file of ['flow-get-200-video-h264.json', 'flow-get-200-audio-aac.json']) {
      const flow = example(file);
      expect((await getFlow(server, flow.id as string)).collected_by).toEqual(flow.collected_by);
    }
    // The multi example collects itself as its subtitles.
    const multi = await getFlow(server, 'e85efab4-993b-4ad6-9af3-4cd8d0d38860');
    expect(multi.collected_by).toEqual(['e85efab4-993b-4ad6-9af3-4cd8d0d38860']);
    await deleteAllFlows(server);

    await createMembers('flow-get-200-multi-container-map.json');
    await createFlow(server, example('flow-get-200-multi-container-map.json'));
    const member = example('flow-get-200-audio-aac-multi.json');
    expect((await getFlow(server, member.id as string)).collected_by).toEqual(member.collected_by);
    const collection = await server.get<Doc[]>('/flows/8159b781-6033-42e8-b3a1-8a879af5e1aa/flow_collection');
    assertSpecValid('flow-collection.json', collection.body);
    expect(collection.body).toEqual(example('flow-get-200-multi-container-map.json').flow_collection);
  });

  it('flow-collection-put.json is accepted by PUT flow_collection and read back as flow-collection-get-200.json', async () => {
    await createFlow(server, example('flow-get-200-video-h264.json'));
    await createFlow(server, example('flow-put.json'));
    const multi = { ...example('flow-put-multi.json') };
    delete multi.flow_collection;
    await createFlow(server, multi);
    const res = await server.put(
      `/flows/${multi.id}/flow_collection`,
      specExample('flow-collection-put.json'),
    );
    expect(res.status).toBe(204);
    const got = await server.get(`/flows/${multi.id}/flow_collection`);
    expect(got.body).toEqual(specExample('flow-collection-get-200.json'));
  });

  it('flow-tags-get-200.json is what GET tags returns for a Flow with those tags', async () => {
    const tags = specExample('flow-tags-get-200.json') as Record<string, string>;
    const flow: Doc = { ...example('flow-get-200-video-h264.json'), tags };
    await createFlow(server, flow);
    const got = await server.get(`/flows/${flow.id}/tags`);
    assertSpecValid('tags.json', got.body);
    expect(got.body).toEqual(tags);
  });
});
