import { describe, expect, it } from 'vitest';
import { readCredentials } from './auth.credentials.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('readCredentials', () => {
  it('reads Bearer and Basic in any case', () => {
    expect(readCredentials('Bearer abc', undefined)).toEqual({ kind: 'bearer', token: 'abc', via: 'header' });
    expect(readCredentials('bearer abc', undefined)).toMatchObject({ kind: 'bearer', token: 'abc' });
    expect(readCredentials(`BASIC ${b64('u:p:with:colons')}`, undefined)).toEqual({
      kind: 'basic',
      user: 'u',
      password: 'p:with:colons',
    });
  });

  it('takes the access_token parameter when there is no header, and the header over it', () => {
    expect(readCredentials(undefined, 'tok')).toEqual({ kind: 'bearer', token: 'tok', via: 'query' });
    expect(readCredentials('Bearer head', 'tok')).toMatchObject({ token: 'head', via: 'header' });
    expect(readCredentials(undefined, undefined)).toEqual({ kind: 'none' });
  });

  it('calls malformed what it cannot read', () => {
    expect(readCredentials('Bearer', undefined)).toMatchObject({ kind: 'malformed', scheme: 'bearer' });
    expect(readCredentials('Bearer a b', undefined)).toMatchObject({ kind: 'malformed', scheme: 'bearer' });
    expect(readCredentials(`Basic ${b64('nocolon')}`, undefined)).toMatchObject({
      kind: 'malformed',
      scheme: 'basic',
    });
    expect(readCredentials(`Basic ${b64(':password')}`, undefined)).toMatchObject({ kind: 'malformed' });
    expect(readCredentials('Basic %%%', undefined)).toMatchObject({ kind: 'malformed' });
    expect(readCredentials('Digest x', undefined)).toMatchObject({ kind: 'malformed', scheme: 'other' });
    expect(readCredentials(undefined, ['a', 'b'])).toMatchObject({ kind: 'malformed' });
    expect(readCredentials(undefined, '')).toMatchObject({ kind: 'malformed' });
  });
});
