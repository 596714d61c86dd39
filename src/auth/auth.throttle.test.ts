import { describe, expect, it } from 'vitest';
import { clientKey } from './auth.guard.ts';
import { FailureCounter } from './auth.throttle.ts';

const limits = { failures: 3, lockMs: 30_000, maxLockMs: 120_000, windowMs: 60_000, maxEntries: 1000 };

function fail(counter: FailureCounter, key: string, now: number): void {
  counter.begin(key, now);
  counter.end(key, true, now);
}

describe('FailureCounter', () => {
  it('keeps at most maxEntries keys, however many addresses fail', () => {
    const counter = new FailureCounter(limits);
    for (let i = 0; i < 50_000; i++) fail(counter, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 0);
    expect(counter.size).toBe(1000);
    // The least recently active went first: the latest keys are still counted.
    fail(counter, '10.0.195.79', 0);
    fail(counter, '10.0.195.79', 0);
    expect(counter.wait('10.0.195.79', 0)).toBe(30_000);
  });

  it('locks for lockMs, doubling up to maxLockMs, and forgets a window after the last lock', () => {
    const counter = new FailureCounter(limits);
    for (let i = 0; i < 3; i++) fail(counter, 'k', 0);
    expect(counter.wait('k', 0)).toBe(30_000);
    let now = 30_000;
    for (const lock of [60_000, 120_000, 120_000]) {
      expect(counter.wait('k', now)).toBe(0);
      fail(counter, 'k', now);
      expect(counter.wait('k', now)).toBe(lock);
      now += lock;
    }
    expect(counter.size).toBe(1);
    expect(counter.wait('k', now + 60_000)).toBe(0);
    expect(counter.size).toBe(0);
  });

  it('forgets successes at once and counts attempts under way', () => {
    const counter = new FailureCounter(limits);
    counter.begin('k', 0);
    counter.end('k', false, 0);
    expect(counter.size).toBe(0);
    for (let i = 0; i < 3; i++) counter.begin('k', 0);
    expect(counter.wait('k', 0)).toBe(1000);
    counter.end('k', false, 0);
    expect(counter.wait('k', 0)).toBe(0);
  });
});

describe('clientKey', () => {
  it('counts IPv4 as it is, IPv6 by its /64 network, IPv4-mapped IPv6 as IPv4', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::5:6:7:8:1.2.3.4')).toBe('0:0:5:6::/64');
    expect(clientKey('not an address')).toBe('not an address');
  });
});
