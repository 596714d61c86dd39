import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook must not reach unless allowed: loopback, private, link-local and the like. */
const BLOCKED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const BLOCKED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const;

export class UrlRefused extends Error {}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Server-side request forgery defence for webhook URLs (the spec asks for one): http(s) only,
 * and no private, loopback or link-local address unless an allow-list entry (an address, a CIDR
 * or a host name) permits it. Checked at registration and again at every delivery, on the
 * addresses actually connected to, so a DNS answer changing later cannot redirect a delivery.
 */
export class UrlGuard {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();
  private readonly allowedHosts = new Set<string>();

  constructor(allow: readonly string[]) {
    for (const [net, prefix] of BLOCKED_V4) this.blocked.addSubnet(net, prefix, 'ipv4');
    for (const [net, prefix] of BLOCKED_V6) this.blocked.addSubnet(net, prefix, 'ipv6');
    for (const raw of allow) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const [address, bits] = entry.split('/');
      const family = isIP(address ?? '');
      if (family === 0) {
        this.allowedHosts.add(entry);
        continue;
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.allowed.addAddress(address as string, type);
      else this.allowed.addSubnet(address as string, Number(bits), type);
    }
  }

  /** Throws UrlRefused naming the reason, or resolves when `url` may be called. */
  async check(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UrlRefused(`${JSON.stringify(url)} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UrlRefused(`webhook URLs must be http or https (got ${parsed.protocol})`);
    }
    const host = hostOf(parsed);
    if (this.allowedHosts.has(host)) return;
    const addresses = isIP(host) ? [host] : await resolveAll(host);
    for (const address of addresses) this.checkAddress(host, address);
  }

  /** A `lookup` for http.request: resolves, then refuses forbidden addresses. */
  readonly lookup = (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      try {
        if (!this.allowedHosts.has(hostname.toLowerCase())) {
          for (const a of addresses) this.checkAddress(hostname, a.address);
        }
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, []);
      }
      const all = (options as { all?: boolean }).all === true;
      const first = addresses[0];
      if (all || !first) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };

  /** For URLs whose host is an IP address (no lookup happens for those). */
  checkHost(url: URL): void {
    const host = hostOf(url);
    if (isIP(host) && !this.allowedHosts.has(host)) this.checkAddress(host, host);
  }

  private checkAddress(host: string, address: string): void {
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const mapped =
      type === 'ipv6' && address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : undefined;
    if (mapped !== undefined && isIP(mapped) === 4) {
      this.checkAddress(host, mapped);
      return;
    }
    if (this.allowed.check(address, type)) return;
    if (this.blocked.check(address, type)) {
      throw new UrlRefused(
        `${host} resolves to ${address}, a private, loopback or link-local address (allow it with TAMS_WEBHOOK_ALLOW)`,
      );
    }
  }
}

function hostOf(url: URL): string {
  const host = url.hostname.toLowerCase();
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (err, addresses) => {
      if (err) reject(new UrlRefused(`${host} does not resolve (${err.code ?? err.message})`));
      else resolve(addresses.map((a) => a.address));
    });
  });
}
