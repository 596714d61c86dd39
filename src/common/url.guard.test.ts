import { describe, expect, it } from 'vitest';
import { UrlGuard, UrlRefused } from './url.guard.ts';

describe('UrlGuard address classification', () => {
  const guard = new UrlGuard([]);

  it.each([
    ['8.8.8.8'],
    ['2606:4700:4700::1111'],
    ['::ffff:8.8.8.8'],
    ['::808:808'],
    ['64:ff9b::808:808'],
    ['2002:808:808::1'],
    ['2001:0:808:808::f7f7:f7f7'],
  ])('passes %s (public unicast, or leading only to one)', (address) => {
    expect(guard.refusal(address)).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', 'in the loopback range'],
    ['0.0.0.0', 'in the unspecified range'],
    ['10.1.2.3', 'in the private range'],
    ['172.16.0.1', 'in the private range'],
    ['169.254.169.254', 'in the linkLocal range'],
    ['100.64.0.1', 'in the carrierGradeNat range'],
    ['192.0.0.8', 'in the reserved range'],
    ['198.18.0.1', 'in the reserved range'],
    ['224.0.0.1', 'in the multicast range'],
    ['255.255.255.255', 'in the broadcast range'],
    ['::', 'in the unspecified range'],
    ['::1', 'in the loopback range'],
    ['fd00::1', 'in the uniqueLocal range'],
    ['fe80::1', 'in the linkLocal range'],
    ['ff02::1', 'in the multicast range'],
    ['2001:db8::1', 'in the reserved range'],
    ['::ffff:127.0.0.1', 'in the ipv4Mapped range, which may lead to 127.0.0.1 (loopback)'],
    ['::ffff:0:a00:1', 'in the rfc6145 range, which may lead to 10.0.0.1 (private)'],
    ['::7f00:1', 'an IPv4-compatible address, which may lead to 127.0.0.1 (loopback)'],
    ['64:ff9b::a9fe:a9fe', 'in the rfc6052 range, which may lead to 169.254.169.254 (linkLocal)'],
    ['2002:7f00:1::', 'in the 6to4 range, which may lead to 127.0.0.1 (loopback)'],
    ['2001:0:808:808::80ff:fffe', 'in the teredo range, which may lead to 127.0.0.1 (loopback)'],
    ['2001:0:a00:1::f7f7:f7f7', 'in the teredo range, which may lead to 10.0.0.1 (private)'],
  ])('refuses %s: %s', (address, why) => {
    expect(guard.refusal(address)).toBe(why);
  });

  it('reads the local-use NAT64 prefix every way its translator may lay it out', () => {
    // 127.0.0.1 as a /64 layout (bits 64-71 skipped), public as the others: refused all the same.
    expect(guard.refusal('64:ff9b:1:808:7f:0:108:808')).toMatch(/may lead to 127\.0\.0\.1/);
    expect(guard.refusal('64:ff9b:1::7f00:1')).toMatch(/^in the rfc6052 range/);
    // Public under every reading.
    expect(guard.refusal('64:ff9b:1:808:8:808:808:808')).toBeUndefined();
  });
});

describe('UrlGuard allow-list', () => {
  const guard = new UrlGuard([' 127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'hooks.internal', '']);

  it('admits listed addresses, CIDRs, and the IPv6 forms leading to them', () => {
    for (const address of [
      '127.0.0.1',
      '10.9.8.7',
      'fd00::1',
      '::ffff:127.0.0.1',
      '64:ff9b::a00:1',
      '2002:a00:1::',
    ]) {
      expect(guard.refusal(address), address).toBeUndefined();
    }
    expect(guard.refusal('127.0.0.2')).toBe('in the loopback range');
    expect(guard.refusal('fc00::1')).toBe('in the uniqueLocal range');
  });

  it('admits listed host names without resolving them', async () => {
    await expect(guard.check('http://hooks.internal/x')).resolves.toBeUndefined();
    await expect(guard.check('http://[::1]/x')).rejects.toThrow(UrlRefused);
    await expect(guard.check('ftp://8.8.8.8/x')).rejects.toThrow(/http or https/);
  });

  it('refuses a malformed CIDR at start-up', () => {
    expect(() => new UrlGuard(['10.0.0.0/33'])).toThrow(/TAMS_WEBHOOK_ALLOW/);
    expect(() => new UrlGuard(['10.0.0.0/x'])).toThrow(/TAMS_WEBHOOK_ALLOW/);
  });
});
