import { describe, expect, it } from 'vitest';
import type { AuthRepo, GrantRecords } from '../store/auth.repo.ts';
import { CredentialGrants } from './auth.grants.ts';

/** Grants in memory, counting how often they are read. */
function setup(records: GrantRecords, ttlMs = Number.POSITIVE_INFINITY) {
  const reads = { count: 0 };
  const repo = {
    async grants() {
      reads.count++;
      return records;
    },
  } as unknown as AuthRepo;
  const clock = { at: 1000, now: () => new Date(clock.at) };
  return { grants: new CredentialGrants({ repo, clock, ttlMs }), reads, clock };
}

const token = (
  id: string,
  principal: string,
  scopes: string[],
  extra: Partial<GrantRecords['tokens'][number]> = {},
) => ({
  id,
  principal,
  scopes,
  ...extra,
});

describe('CredentialGrants', () => {
  const records: GrantRecords = {
    users: [
      { name: 'alice', scopes: ['read', 'write'] },
      { name: 'wo', scopes: ['write'] },
    ],
    tokens: [
      token('t-ok', 'bob', ['read', 'write']),
      token('t-write', 'bob', ['write']),
      token('t-revoked', 'carol', ['read'], { revoked: new Date(500) }),
      token('t-expiring', 'dan', ['read'], { expires: new Date(2000) }),
    ],
  };

  it('judges tokens, users and JWTs by what they grant now', async () => {
    const { grants, clock } = setup(records);
    const tokenOf = (id: string) => grants.refusal('x', { scheme: 'token', id, scopes: ['read'] });
    expect(await tokenOf('t-ok')).toBeUndefined();
    expect(await tokenOf('t-write')).toBe('API token t-write does not grant the read scope');
    expect(await tokenOf('t-revoked')).toBe('API token t-revoked has been revoked');
    expect(await tokenOf('t-gone')).toBe('API token t-gone no longer exists');
    expect(await tokenOf('t-expiring')).toBeUndefined();
    clock.at = 2000;
    expect(await tokenOf('t-expiring')).toBe('API token t-expiring has expired');

    const user = (id: string) => grants.refusal(id, { scheme: 'basic', id, scopes: ['read'] });
    expect(await user('alice')).toBeUndefined();
    expect(await user('wo')).toBe('user "wo" does not have the read scope');
    expect(await user('gone')).toBe('user "gone" no longer exists');

    // JWTs: what was recorded stands (the identity provider is not asked).
    expect(await grants.refusal('erin', { scheme: 'jwt', id: 'erin', scopes: ['read'] })).toBeUndefined();
    expect(await grants.refusal('erin', { scheme: 'jwt', id: 'erin', scopes: ['write'] })).toMatch(/no read/);
  });

  it('judges an owner recorded by name alone by its user and active tokens', async () => {
    const { grants, clock } = setup(records);
    expect(await grants.refusal('alice', undefined)).toBeUndefined();
    expect(await grants.refusal('bob', undefined)).toBeUndefined();
    expect(await grants.refusal('carol', undefined)).toMatch(/no user "carol" and no active API token/);
    expect(await grants.refusal('wo', undefined)).toMatch(/no user "wo"/);
    expect(await grants.refusal('dan', undefined)).toBeUndefined();
    clock.at = 5000;
    expect(await grants.refusal('dan', undefined)).toMatch(/no user "dan"/);
    expect(await grants.refusal(undefined, undefined)).toMatch(/TAMS_AUTH=none/);
  });

  it('ends a live JWT or token at its expiry', async () => {
    const { grants, clock } = setup(records);
    const jwt = {
      name: 'erin',
      scopes: new Set(['read'] as const),
      scheme: 'jwt' as const,
      credentialId: 'erin',
      expires: 1500,
    };
    expect(await grants.liveRefusal(jwt)).toBeUndefined();
    clock.at = 1500;
    expect(await grants.liveRefusal(jwt)).toBe('the JWT has expired');
  });

  it('reads the store once for any number of checks, again after forget()', async () => {
    const { grants, reads } = setup(records);
    const checks = Array.from({ length: 1000 }, () =>
      grants.refusal('x', { scheme: 'token', id: 't-ok', scopes: [] }),
    );
    expect(new Set(await Promise.all(checks))).toEqual(new Set([undefined]));
    expect(reads.count).toBe(1);
    grants.forget();
    await grants.refusal('alice', undefined);
    expect(reads.count).toBe(2);
  });

  it('reads again once its lifetime is over (replicas sharing a database)', async () => {
    const { grants, reads } = setup(records, 0);
    await grants.refusal('alice', undefined);
    await grants.refusal('alice', undefined);
    expect(reads.count).toBe(2);
  });
});
