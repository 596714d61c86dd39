import { describe, expect, it } from 'vitest';
import { randomUuid } from '../../../test/support/embedded/index/segment-index.testkit.ts';
import { prng } from '../../../test/support/time/time.testkit.ts';
import { isCanonicalUuid, packUuid, unpackUuid, uuidEquals } from '../../common/uuid-bytes.ts';
import { StorageIds } from './segment-index.storage-ids.ts';

describe('UUID packing', () => {
  it('round-trips canonical UUIDs through 16 bytes', () => {
    const rand = prng(7);
    const bytes = new Uint8Array(48);
    for (let i = 0; i < 500; i++) {
      const id = randomUuid(rand);
      expect(packUuid(id, bytes, 16)).toBe(true);
      expect(unpackUuid(bytes, 16)).toBe(id);
    }
    expect(packUuid('00000000-0000-0000-0000-000000000000', bytes, 0)).toBe(true);
    expect(packUuid('ffffffff-ffff-ffff-ffff-ffffffffffff', bytes, 32)).toBe(true);
    expect([...bytes.subarray(0, 16)].every((b) => b === 0)).toBe(true);
    expect(unpackUuid(bytes, 32)).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    expect(uuidEquals(bytes, 0, bytes, 32)).toBe(false);
    expect(uuidEquals(bytes, 32, bytes, 32)).toBe(true);
  });

  it.each([
    'A3BB189E-8BF9-4888-9912-ACE4E6543002',
    'a3bb189e8bf9488899120ace4e6543002',
    'a3bb189e-8bf9-4888-9912-ace4e654300',
    'a3bb189e-8bf9-4888-9912-ace4e65430020',
    '{a3bb189e-8bf9-4888-9912-ace4e654300}',
    'a3bb189e_8bf9-4888-9912-ace4e6543002',
    'g3bb189e-8bf9-4888-9912-ace4e6543002',
    'a3bb189e-8bf9-4888-9912-ace4e654300 ',
    '',
  ])('leaves %j as a string', (id) => {
    expect(isCanonicalUuid(id)).toBe(false);
    expect(packUuid(id, new Uint8Array(16), 0)).toBe(false);
  });
});

describe('StorageIds', () => {
  it('interns 255 ids to stable bytes, then declines', () => {
    const ids = new StorageIds();
    for (let i = 0; i < 255; i++) expect(ids.intern(`s${i}`)).toBe(i);
    expect(ids.intern('s7')).toBe(7);
    expect(ids.intern('one more')).toBeUndefined();
    expect(ids.id(254)).toBe('s254');
    expect(() => ids.id(255)).toThrow();
    expect(ids.size).toBe(255);
  });
});
