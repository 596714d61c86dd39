import { createSecretKey } from 'node:crypto';
import { CompactSign, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { AuthRepo, TokenRecord, UserRecord } from '../store/auth.repo.ts';
import { JwtVerifier, jwtSettings } from './auth.jwt.ts';
import { hashPassword, verifyPassword } from './auth.password.ts';
import { Authenticator } from './auth.service.ts';
import { tokenHash } from './auth.tokens.ts';

/** A repository in memory that counts its reads. */
function fakeRepo(tokens: TokenRecord[], users: UserRecord[] = []) {
  const reads = { tokens: 0, users: 0 };
  const repo = {
    async tokenByHash(hash: string) {
      reads.tokens++;
      return tokens.find((t) => t.hash === hash) ?? null;
    },
    async getUser(name: string) {
      reads.users++;
      return users.find((u) => u.name === name) ?? null;
    },
  } as unknown as AuthRepo;
  return { repo, reads };
}

/** An HS256 verifier (issuer `iss`) that counts the signatures it verifies. */
function countingVerifier(key: string, audience: string): { counting: JwtVerifier; verified: () => number } {
  const settings = jwtSettings(
    loadConfig({
      TAMS_JWT_KEY: JSON.stringify({ kty: 'oct', k: key }),
      TAMS_JWT_ALGORITHMS: 'HS256',
      TAMS_JWT_ISSUER: 'iss',
      TAMS_JWT_AUDIENCE: audience,
    }),
  );
  if (!settings) throw new Error('JWT settings expected');
  const verifier = new JwtVerifier(settings);
  let verified = 0;
  const counting = {
    verify: (t: string) => {
      verified++;
      return verifier.verify(t);
    },
  } as JwtVerifier;
  return { counting, verified: () => verified };
}

function token(value: string, extra: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: value,
    name: value,
    principal: `p-${value}`,
    hash: tokenHash(value),
    hint: '',
    scopes: ['read', 'bogus'],
    created: new Date(0),
    ...extra,
  };
}

const bearer = (t: string) => ({ kind: 'bearer' as const, token: t, via: 'header' as const });
const basic = (user: string, password: string) => ({ kind: 'basic' as const, user, password });

describe('Authenticator', () => {
  it('reads a token once, then from memory until forget()', async () => {
    const { repo, reads } = fakeRepo([token('good')]);
    let now = 1000;
    const auth = new Authenticator({ repo, clock: { now: () => new Date(now) }, cacheTtlMs: 10_000 });
    const first = await auth.authenticate(bearer('good'));
    expect(first).toMatchObject({ ok: true, principal: { name: 'p-good', scheme: 'token' } });
    expect(first.ok && [...first.principal.scopes]).toEqual(['read']);
    await auth.authenticate(bearer('good'));
    expect(reads.tokens).toBe(1);
    now += 10_000;
    await auth.authenticate(bearer('good'));
    expect(reads.tokens).toBe(2);
    auth.forget();
    await auth.authenticate(bearer('good'));
    expect(reads.tokens).toBe(3);
  });

  it('refuses revoked, expired and unknown tokens, saying which', async () => {
    const { repo } = fakeRepo([
      token('old', { revoked: new Date(0) }),
      token('late', { expires: new Date(500) }),
      token('soon', { expires: new Date(2000) }),
    ]);
    let now = 1000;
    const auth = new Authenticator({
      repo,
      clock: { now: () => new Date(now) },
      cacheTtlMs: Number.POSITIVE_INFINITY,
    });
    expect(await auth.authenticate(bearer('old'))).toMatchObject({
      ok: false,
      reason: 'the token has been revoked',
    });
    expect(await auth.authenticate(bearer('late'))).toMatchObject({
      ok: false,
      reason: 'the token has expired',
    });
    expect(await auth.authenticate(bearer('nope'))).toMatchObject({
      ok: false,
      reason: 'the token is not known',
    });
    // Cached, but not past its expiry.
    expect((await auth.authenticate(bearer('soon'))).ok).toBe(true);
    now = 2000;
    expect(await auth.authenticate(bearer('soon'))).toMatchObject({
      ok: false,
      reason: 'the token has expired',
    });
  });

  it('checks a password once per cache period, and the same way for unknown users', async () => {
    const users = [
      {
        name: 'u',
        password: await hashPassword('pw', { ln: 10, r: 8, p: 1 }),
        scopes: ['write'],
        created: new Date(0),
      },
    ];
    const { repo, reads } = fakeRepo([], users);
    const auth = new Authenticator({ repo, clock: { now: () => new Date(0) }, cacheTtlMs: 60_000 });
    expect(await auth.authenticate(basic('u', 'pw'))).toMatchObject({ ok: true, principal: { name: 'u' } });
    await auth.authenticate(basic('u', 'pw'));
    expect(reads.users).toBe(1);
    expect(await auth.authenticate(basic('u', 'PW'))).toMatchObject({ ok: false, scheme: 'basic' });
    expect(await auth.authenticate(basic('v', 'pw'))).toMatchObject({
      ok: false,
      reason: 'the user name or password is wrong',
    });
  });

  it('verifies a JWT signature once and trusts it until it expires (HS256 with an oct key)', async () => {
    const secret = Buffer.alloc(32, 7);
    const { counting, verified } = countingVerifier(secret.toString('base64url'), 'aud,other');
    const exp = Math.floor(Date.now() / 1000) + 60;
    const jwt = await new SignJWT({ scope: 'read delete' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('svc')
      .setIssuer('iss')
      .setAudience('other')
      .setExpirationTime(exp)
      .sign(createSecretKey(secret));
    let now = Date.now();
    const { repo } = fakeRepo([]);
    const auth = new Authenticator({
      repo,
      clock: { now: () => new Date(now) },
      jwt: counting,
      cacheTtlMs: 0,
    });
    const outcome = await auth.authenticate(bearer(jwt));
    expect(outcome.ok && [...outcome.principal.scopes]).toEqual(['read', 'delete']);
    await auth.authenticate(bearer(jwt));
    expect(verified()).toBe(1);
    now = exp * 1000;
    await auth.authenticate(bearer(jwt));
    expect(verified()).toBe(2);
  });

  it('trusts a JWT from memory for 10 minutes at most, whatever its exp (1e400 included)', async () => {
    const secret = createSecretKey(Buffer.alloc(32, 9));
    const { counting, verified } = countingVerifier(secret.export().toString('base64url'), 'aud');
    const claims = '{"iss":"iss","aud":"aud","sub":"svc","scope":"read","exp":1e400}';
    const jwt = await new CompactSign(new TextEncoder().encode(claims))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    let now = Date.now();
    const auth = new Authenticator({
      repo: fakeRepo([]).repo,
      clock: { now: () => new Date(now) },
      jwt: counting,
      cacheTtlMs: 0,
    });
    expect((await auth.authenticate(bearer(jwt))).ok).toBe(true);
    now += 10 * 60_000 - 1;
    expect((await auth.authenticate(bearer(jwt))).ok).toBe(true);
    expect(verified()).toBe(1);
    now += 1;
    expect((await auth.authenticate(bearer(jwt))).ok).toBe(true);
    expect(verified()).toBe(2);
  });

  it('checks a password once for requests sent in parallel with the same credentials', async () => {
    const stored = await hashPassword('pw', { ln: 10, r: 8, p: 1 });
    const { repo } = fakeRepo([], [{ name: 'u', password: stored, scopes: ['read'], created: new Date(0) }]);
    let checks = 0;
    const auth = new Authenticator({
      repo,
      clock: { now: () => new Date(0) },
      cacheTtlMs: 60_000,
      passwords: { checks: 1, clientFailures: 1, userFailures: 1 },
      checkPassword: (password, hash) => {
        checks++;
        return verifyPassword(password, hash);
      },
    });
    const right = await Promise.all(
      Array.from({ length: 5 }, () => auth.authenticate(basic('u', 'pw'), 'a')),
    );
    expect(right.every((o) => o.ok)).toBe(true);
    // Wrong ones too, with limits of one failure and one check under way: the others share it.
    const wrong = await Promise.all(
      Array.from({ length: 5 }, () => auth.authenticate(basic('u', 'no'), 'b')),
    );
    expect(wrong.map((o) => !o.ok && o.reason)).toEqual(Array(5).fill('the user name or password is wrong'));
    expect(checks).toBe(2);
  });
});
