/**
 * What the Flow side of Profiles uses (AppNote 0020): `applyToFlow` turns an 8.2 Flow body with
 * `profile_id` into the Flow the store keeps (the Profile's technical metadata copied; 400 for a
 * body that also gives technical metadata, or an unknown Profile; `""` unlinks), and
 * `metadataOf` what a linked Flow must still match. On a real store (DuckDB in memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.ts';
import { BadRequestError } from '../common/errors.ts';
import { loadConfig } from '../config.ts';
import { openEngine } from '../db/engine.factory.ts';
import { technicalDifferences } from '../flows/flows.technical.ts';
import { openStoreDb } from '../store/store.open.ts';
import { TamsStore } from '../store/store.ts';
import type { Profile } from './profiles.schemas.ts';
import { ProfilesService } from './profiles.service.ts';

const PROFILE_ID = '329b98d6-adeb-418c-8eaf-eca14edc1706';
const METADATA = {
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  container: 'video/mp2t',
  avg_bit_rate: 2479,
  segment_duration: { numerator: 6, denominator: 1 },
  essence_parameters: { frame_rate: { numerator: 25, denominator: 1 }, frame_width: 1280, frame_height: 720 },
};

let store: TamsStore;
let close: () => Promise<void>;
let profiles: ProfilesService;
beforeAll(async () => {
  const { db } = await openStoreDb(await openEngine(loadConfig({}), { memory: true }), { owner: 'test' });
  store = await TamsStore.open(db, { cached: false });
  close = () => db.close();
  profiles = new ProfilesService({ store, clock: systemClock });
  await profiles.create(
    PROFILE_ID,
    { id: PROFILE_ID, label: 'house', tags: { kind: 'proxy' }, flow_metadata: METADATA } as Profile,
    'alice',
  );
});
afterAll(async () => {
  await close?.();
});

const flow = { id: 'f1', source_id: 's1', label: 'a Flow', tags: { show: 'news' } };

describe('ProfilesService.applyToFlow', () => {
  it('copies the Profile’s technical metadata into a Flow made from it, keeping profile_id', async () => {
    const made = await profiles.applyToFlow({ ...flow, profile_id: PROFILE_ID });
    expect(made).toEqual({ ...flow, profile_id: PROFILE_ID, ...METADATA });
    // The Profile's own label and tags describe the Profile, not its Flows.
    expect(made.label).toBe('a Flow');
    expect(made.tags).toEqual({ show: 'news' });
  });

  it('refuses technical metadata beside profile_id, naming it', async () => {
    await expect(
      profiles.applyToFlow({ ...flow, profile_id: PROFILE_ID, codec: 'video/h264' }),
    ).rejects.toThrow(
      new BadRequestError(
        `a Flow made from a Profile takes its technical metadata from it: leave out codec with profile_id ${PROFILE_ID} (or unlink with profile_id "")`,
      ),
    );
    await expect(
      profiles.applyToFlow({ ...flow, profile_id: PROFILE_ID, essence_parameters: {}, avg_bit_rate: 1 }),
    ).rejects.toThrow(/leave out avg_bit_rate, essence_parameters/);
  });

  it('refuses an unknown Profile with 400', async () => {
    const unknown = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    await expect(profiles.applyToFlow({ ...flow, profile_id: unknown })).rejects.toThrow(
      new BadRequestError(`Profile ${unknown} does not exist (create it first)`),
    );
  });

  it('takes a body without profile_id as it is, and unlinks with profile_id ""', async () => {
    const own = { ...flow, ...METADATA, codec: 'video/hevc' };
    expect(await profiles.applyToFlow(own)).toBe(own);
    expect(await profiles.applyToFlow({ ...own, profile_id: '' })).toEqual(own);
  });
});

describe('ProfilesService.metadataOf', () => {
  it('is the technical metadata a Flow made from the Profile matches', async () => {
    const metadata = await profiles.metadataOf(PROFILE_ID);
    expect(metadata).toEqual(METADATA);
    const made = await profiles.applyToFlow({ ...flow, profile_id: PROFILE_ID });
    expect(technicalDifferences(made, metadata ?? {})).toEqual([]);
    expect(await profiles.metadataOf('7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBeUndefined();
  });
});

describe('ProfilesService.create', () => {
  it('records who created it and when, and refuses the id again', async () => {
    const record = await profiles.record(PROFILE_ID);
    expect(record.created_by).toBe('alice');
    await expect(
      profiles.create(PROFILE_ID, { id: PROFILE_ID, flow_metadata: METADATA } as Profile, 'bob'),
    ).rejects.toThrow(/already exists/);
  });
});
