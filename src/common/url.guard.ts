import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export class UrlRefused extends Error {}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Where an IPv4 address sits in an IPv6 one: four byte positions (of the 16), maybe inverted. */
interface Reading {
  at: readonly number[];
  inverted?: boolean;
}
const LAST_32: Reading = { at: [12, 13, 14, 15] };
const WELL_KNOWN_NAT64 = ipaddr.IPv6.parse('64:ff9b::');

/**
 * IPv6 forms that carry an IPv4 address, by ipaddr.js range name: each IPv4 address the form may
 * lead to. A packet to one of them ends up at that IPv4 address (through the dual stack, a NAT64
 * translator, a 6to4 or Teredo relay), so that address decides. IPv4-compatible addresses
 * (::a.b.c.d, deprecated by RFC 4291) are `unicast` to ipaddr.js and handled apart.
 */
const EMBEDDING: Record<string, (ip: ipaddr.IPv6) => Reading[]> = {
  ipv4Mapped: () => [LAST_32],
  // IPv4-translated (RFC 6145): ::ffff:0:a.b.c.d.
  rfc6145: () => [LAST_32],
  // NAT64: the well-known prefix is a /96 (RFC 6052). Under the local-use 64:ff9b:1::/48
  // (RFC 8215) the local translator picks the prefix length (/48, /56, /64 or /96), and so where
  // the IPv4 address sits (RFC 6052 section 2.2; bits 64-71 are skipped): every reading must pass.
  rfc6052: (ip) =>
    ip.match(WELL_KNOWN_NAT64, 96)
      ? [LAST_32]
      : [{ at: [6, 7, 9, 10] }, { at: [7, 9, 10, 11] }, { at: [9, 10, 11, 12] }, LAST_32],
  // 2002:aabb:ccdd::/48 (RFC 3056).
  '6to4': () => [{ at: [2, 3, 4, 5] }],
  // 2001:0:<server>:<flags>:<port>:<client, bits inverted> (RFC 4380): both are reached.
  teredo: () => [{ at: [4, 5, 6, 7] }, { ...LAST_32, inverted: true }],
};

/** The IPv4 addresses an IPv6 address leads to; undefined when it embeds none. */
function embeddedIPv4(ip: ipaddr.IPv6, range: string): ipaddr.IPv4[] | undefined {
  const bytes = ip.toByteArray();
  let readings = EMBEDDING[range]?.(ip);
  if (readings === undefined && range === 'unicast' && bytes.slice(0, 12).every((b) => b === 0)) {
    readings = [LAST_32];
  }
  return readings?.map(
    ({ at, inverted }) =>
      new ipaddr.IPv4(at.map((i) => (inverted ? ~(bytes[i] ?? 0) & 0xff : (bytes[i] ?? 0)))),
  );
}

/** What a guard admits and how its refusals name things. */
export interface UrlGuardOptions {
  /** The setting that admits more addresses, named in refusals (TAMS_WEBHOOK_ALLOW). */
  setting: string;
  /** The URL schemes admitted, with their colon (`http:`). */
  schemes: readonly string[];
  /** What the URLs are, for refusals: `webhook URLs`. */
  subject: string;
}

const WEBHOOKS: UrlGuardOptions = {
  setting: 'TAMS_WEBHOOK_ALLOW',
  schemes: ['http:', 'https:'],
  subject: 'webhook URLs',
};

/**
 * Server-side request forgery defence for the URLs the server fetches or connects to (webhooks,
 * the spec asks for one; recording sources): only the schemes given (webhooks: http(s)),
 * and only public unicast addresses (ipaddr.js's `unicast` range; IPv6 forms embedding an IPv4
 * address are judged by that address too) unless an allow-list entry (an address, a CIDR or a
 * host name) permits them. Checked at registration and again at every delivery, on the
 * addresses actually connected to, so a DNS answer changing later cannot redirect a delivery.
 */
export class UrlGuard {
  private readonly allowed: [Address, number][] = [];
  private readonly allowedHosts = new Set<string>();

  constructor(
    allow: readonly string[],
    private readonly options: UrlGuardOptions = WEBHOOKS,
  ) {
    for (const raw of allow) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const [address = '', bits] = entry.split('/');
      if (isIP(address) === 0) {
        this.allowedHosts.add(entry);
        continue;
      }
      const ip = ipaddr.parse(address);
      const width = ip.kind() === 'ipv4' ? 32 : 128;
      const prefix = bits === undefined ? width : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > width || !/^\d+$/.test(bits ?? '0')) {
        throw new Error(`${options.setting}: "${raw.trim()}" is not an address or CIDR`);
      }
      this.allowed.push([ip, prefix]);
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
    const { schemes, subject } = this.options;
    if (!schemes.includes(parsed.protocol)) {
      const names = schemes.map((s) => s.slice(0, -1));
      const allowed =
        names.length === 2 && names[0] === 'http' && names[1] === 'https'
          ? 'http or https'
          : names.join(', ');
      throw new UrlRefused(`${subject} must be ${allowed} (got ${parsed.protocol})`);
    }
    const host = hostOf(parsed);
    if (this.allowedHosts.has(host)) return;
    const addresses = isIP(host) ? [host] : await resolveAll(host);
    for (const address of addresses) this.checkAddress(host, address);
  }

  /**
   * check(), then the URL with its host replaced by the address checked, for a client that
   * resolves names itself (ffmpeg): what it connects to is what was checked, whatever a DNS
   * answer says later. A host the allow-list names is kept as it is.
   */
  async pin(url: string): Promise<string> {
    await this.check(url);
    const parsed = new URL(url);
    const host = hostOf(parsed);
    if (isIP(host) || this.allowedHosts.has(host)) return url;
    const [first] = await resolveAll(host);
    if (first === undefined) throw new UrlRefused(`${host} does not resolve`);
    this.checkAddress(host, first);
    parsed.hostname = isIP(first) === 6 ? `[${first}]` : first;
    return parsed.toString();
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

  /** Why `address` may not be reached; undefined when it may. */
  refusal(address: string): string | undefined {
    const ip = ipaddr.parse(address);
    if (this.allows(ip)) return undefined;
    const range = ip.range() as string;
    if (ip.kind() === 'ipv6') {
      const embedded = embeddedIPv4(ip as ipaddr.IPv6, range);
      if (embedded !== undefined) {
        const form = range === 'unicast' ? 'an IPv4-compatible address' : `in the ${range} range`;
        for (const v4 of embedded) {
          const inner = v4.range() as string;
          if (inner !== 'unicast' && !this.allows(v4)) return `${form}, which may lead to ${v4} (${inner})`;
        }
        return undefined;
      }
    }
    return range === 'unicast' ? undefined : `in the ${range} range`;
  }

  private allows(ip: Address): boolean {
    return this.allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  }

  private checkAddress(host: string, address: string): void {
    const why = this.refusal(address);
    if (why === undefined) return;
    const subject = host === address ? address : `${host} resolves to ${address}, which`;
    throw new UrlRefused(
      `${subject} is ${why}: not a public unicast address (a private, loopback, link-local or reserved one may be allowed with ${this.options.setting})`,
    );
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
