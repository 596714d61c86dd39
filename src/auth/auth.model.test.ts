import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { isAdmin } from '../http/principal.ts';
import { parseDuration } from './admin.duration.ts';
import { ExpiringCache } from './auth.cache.ts';
import { isUserName, parseScopes, scopeForMethod } from './auth.model.ts';
import { looksLikeJwt, newToken, tokenHash, tokenHint } from './auth.tokens.ts';

describe('scopes', () => {
  it('parse from comma or space lists, once each, refusing unknown names', () => {
    expect(parseScopes('read,write read')).toEqual(['read', 'write']);
    expect(parseScopes(['delete', 'admin'])).toEqual(['delete', 'admin']);
    expect(() => parseScopes('read,root')).toThrow('unknown scope "root"');
  });

  it('follow the method', () => {
    expect(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'].map(scopeForMethod)).toEqual([
      'read',
      'read',
      'write',
      'write',
      'delete',
      'write',
      'read',
    ]);
  });
});

describe('names, tokens and durations', () => {
  it('user names exclude colons and spaces', () => {
    expect(isUserName('alice.smith@example.com')).toBe(true);
    expect(isUserName('a:b')).toBe(false);
    expect(isUserName('a b')).toBe(false);
    expect(isUserName('')).toBe(false);
  });

  it('tokens are prefixed, random, hashed with SHA-256 and hinted by their start', () => {
    const t = newToken();
    expect(t).toMatch(/^tams_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(tokenHint(t)).toBe(`${t.slice(0, 9)}…`);
    expect(looksLikeJwt(t)).toBe(false);
    expect(looksLikeJwt('aaa.bbb.ccc')).toBe(true);
  });

  it('durations take a unit', () => {
    expect(parseDuration('90d')).toBe(90 * 86400);
    expect(parseDuration('12h')).toBe(43200);
    expect(parseDuration('3600')).toBe(3600);
    expect(() => parseDuration('0')).toThrow();
    expect(() => parseDuration('1y')).toThrow();
  });
});

describe('ExpiringCache', () => {
  it('forgets entries at their time and the oldest when full', () => {
    const cache = new ExpiringCache<number>(2);
    cache.set('a', 1, 100, 0);
    cache.set('b', 2, 200, 0);
    expect(cache.get('a', 99)).toBe(1);
    expect(cache.get('a', 100)).toBeUndefined();
    cache.set('c', 3, 300, 0);
    cache.set('d', 4, 300, 0);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.set('e', 5, 10, 10);
    expect(cache.get('e', 0)).toBeUndefined();
  });
});

describe('isAdmin (for webhook listings)', () => {
  const request = (principal: unknown) => ({ principal }) as unknown as FastifyRequest;
  it('holds for the admin scope, and for everyone when authentication is off', () => {
    expect(isAdmin(request({ name: 'a', scopes: new Set(['admin']), scheme: 'token' }))).toBe(true);
    expect(isAdmin(request({ name: 'b', scopes: new Set(['read', 'write']), scheme: 'jwt' }))).toBe(false);
    expect(isAdmin(request(null))).toBe(true);
  });
});
