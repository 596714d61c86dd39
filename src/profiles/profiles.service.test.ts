/**
 * What the Flow side of Profiles uses (AppNote 0020): `applyToFlow` turns an 8.2 Flow body with
 * `profile_id` into the Flow the store keeps (the Profile's technical metadata copied; 400 for a
 * body that also gives technical metadata, or an unknown Profile; `""` unlinks), matching the
 * Profile's metadata as a linked Flow must. On a real store (DuckDB in memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_METADATA } from '../../test/http/profiles.fixture.ts';
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

let store: TamsStore;
let close: () => Promise<void>;
let profiles: ProfilesService;
beforeAll(async () => {
  const { db } = await openStoreDb(await openEngine(loadConfig({}), { memory: true }), { owner: 'test' });
  store = await TamsStore.open(db);
  close = () => db.close();
  profiles = new ProfilesService({ store, clock: systemClock });
  await profiles.create(
    PROFILE_ID,
    { id: PROFILE_ID, label: 'house', tags: { kind: 'proxy' }, flow_metadata: PROFILE_METADATA } as Profile,
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
    expect(made).toEqual({ ...flow, profile_id: PROFILE_ID, ...PROFILE_METADATA });
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

  it('takes a body without a Profile\'s id as it is (no profile_id, or "", which unlinks)', async () => {
    const own = { ...flow, ...PROFILE_METADATA, codec: 'video/hevc' };
    expect(await profiles.applyToFlow(own)).toBe(own);
    expect(await profiles.applyToFlow({ ...own, profile_id: '' })).toEqual({ ...own, profile_id: '' });
  });
});

describe('a Flow made from a Profile', () => {
  it("matches the Profile's technical metadata (what keeps it linked)", async () => {
    const { flow_metadata } = await profiles.record(PROFILE_ID);
    expect(flow_metadata).toEqual(PROFILE_METADATA);
    const made = await profiles.applyToFlow({ ...flow, profile_id: PROFILE_ID });
    expect(technicalDifferences(made, flow_metadata)).toEqual([]);
  });
});

describe('ProfilesService.create', () => {
  it('records who created it and when, and refuses the id again', async () => {
    const record = await profiles.record(PROFILE_ID);
    expect(record.created_by).toBe('alice');
    await expect(
      profiles.create(PROFILE_ID, { id: PROFILE_ID, flow_metadata: PROFILE_METADATA } as Profile, 'bob'),
    ).rejects.toThrow(/already exists/);
  });
});
