import { describe, expect, it } from 'vitest';
import { DbConflictError, DbError, DbUnavailableError } from '../../db/db.errors.ts';
import { EmbeddingError } from '../embed/embed.types.ts';
import { ItemFailure, isTransient, reasonOf, TransientFailure } from './search.failure.ts';
import { ATTEMPTS, Isolation, RetryPause } from './search.retry.ts';

describe('isTransient', () => {
  it('is true of unavailable services, false of a bad item', () => {
    const system = (code: string) => Object.assign(new Error(`${code}: x`), { code });
    const http = (status: number) =>
      Object.assign(new Error('answer'), { $metadata: { httpStatusCode: status } });
    for (const e of [
      new TransientFailure('storage'),
      new DbUnavailableError('VAST DataBase', 'down'),
      new DbConflictError('VAST DataBase', 'lost'),
      new DbError('closed', 'closed'),
      new EmbeddingError('unavailable', 'down'),
      system('ECONNREFUSED'),
      http(503),
      http(429),
      Object.assign(new Error('t'), { name: 'TimeoutError' }),
    ]) {
      expect(isTransient(e), String(e)).toBe(true);
    }
    for (const e of [
      new ItemFailure('not timed text'),
      new EmbeddingError('bad_response', '400'),
      new DbError('invalid_value', 'too long'),
      system('ENXIO'),
      http(403),
      new RangeError('x'),
      'a string',
    ]) {
      expect(isTransient(e), String(e)).toBe(false);
    }
  });

  it('gives reasons without server paths', () => {
    const e = Object.assign(new Error("ENXIO: no such device or address, open '/data/media/a/b'"), {
      code: 'ENXIO',
    });
    expect(reasonOf(e)).toBe('ENXIO: no such device or address');
    expect(
      reasonOf(Object.assign(new Error('x'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })),
    ).toBe('AccessDenied (HTTP 403)');
  });
});

describe('RetryPause', () => {
  it('doubles the pause up to its cap and ends with a success', () => {
    const pause = new RetryPause(100, 500);
    expect(pause.waiting()).toBe(false);
    expect([pause.failed(), pause.failed(), pause.failed(), pause.failed()]).toEqual([100, 200, 400, 500]);
    expect(pause.waiting()).toBe(true);
    expect(pause.succeeded()).toBe(true);
    expect(pause.waiting()).toBe(false);
    expect(pause.succeeded()).toBe(false);
  });
});

describe('Isolation', () => {
  it("takes a failed batch's items one at a time, and passes over an item after ATTEMPTS failures", () => {
    const isolation = new Isolation();
    isolation.begin(3);
    expect(isolation.active).toBe(true);
    isolation.done(1);
    for (let i = 1; i < ATTEMPTS; i++) expect(isolation.failedAlone('event 7')).toBe(false);
    expect(isolation.failedAlone('event 7')).toBe(true);
    isolation.done(1);
    // Another item starts its count afresh.
    expect(isolation.failedAlone('event 8')).toBe(false);
    isolation.done(1);
    expect(isolation.active).toBe(false);
  });
});
