import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * URLs clients give for others to read (issue 60): a segment's `get_urls` and TAMS 8.2's
 * uncontrolled object instances. The server never requests them, but hands them to every reader
 * (GET answers, HLS playlists, the web UI), so one rule decides what may be stored: "a URL to
 * which a GET request can be made" (the spec's words), i.e. http or https with a host, and, where
 * the operator restricts them (TAMS_CLIENT_URL_HOSTS_ALLOW / _DENY), a host the lists admit.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The URL `text` as a browser may be handed it (http or https, with a host), else undefined. */
function webUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
}

/**
 * Whether a stored client URL may be handed to a browser: rows written before the rule (any
 * scheme then) are kept and returned by the API as they are, but left out of what the server
 * writes for players.
 */
export function isWebUrl(text: string): boolean {
  return webUrl(text) !== undefined;
}

/** A host as the lists compare it: lower case, no trailing dot, IPv6 without brackets. */
function hostOf(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) compare as their IPv4 address. */
function plain(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/**
 * A list of hosts: names (exact), `*.example.com` (any name under example.com, not itself),
 * IP addresses and CIDR ranges. Hosts are compared as written in the URL: names are not
 * resolved (the server never requests these URLs, and readers resolve them on their own).
 */
export class HostList {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges: [Address, number][] = [];

  /** Throws naming the first entry that is none of the forms above. */
  constructor(text: string) {
    for (const raw of text.split(',')) {
      const entry = hostOf(raw);
      if (entry === '') continue;
      if (entry.includes('://')) throw new Error(`"${raw.trim()}" is a URL: give its host alone`);
      if (entry.startsWith('*.')) {
        const suffix = entry.slice(1);
        if (!/^(\.[a-z0-9_-]+)+$/.test(suffix)) throw new Error(`"${raw.trim()}" is not a host pattern`);
        this.suffixes.push(suffix);
      } else if (entry.includes('/')) {
        try {
          const [address, bits] = ipaddr.parseCIDR(entry);
          this.ranges.push([plain(address), address.kind() === plain(address).kind() ? bits : bits - 96]);
        } catch {
          throw new Error(`"${raw.trim()}" is not a CIDR range`);
        }
      } else if (isIP(entry) !== 0) {
        const address = plain(ipaddr.parse(entry));
        this.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(entry)) {
        this.names.add(entry);
      } else {
        throw new Error(`"${raw.trim()}" is not a host name, host pattern, address or CIDR range`);
      }
    }
  }

  get empty(): boolean {
    return this.names.size === 0 && this.suffixes.length === 0 && this.ranges.length === 0;
  }

  /** Whether `host` (as hostOf gives it) is on the list. */
  has(host: string): boolean {
    if (isIP(host) !== 0) {
      const address = plain(ipaddr.parse(host));
      return this.ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));
    }
    return this.names.has(host) || this.suffixes.some((s) => host.endsWith(s));
  }
}

/** The operator's host lists (comma-separated): empty allow list = any host. */
export interface ClientUrlHosts {
  allow?: string;
  deny?: string;
}

/** What makes the host lists unusable, named by their settings (read at start). */
export function clientUrlConfigProblems(hosts: { allow: string; deny: string }): string[] {
  const problems: string[] = [];
  for (const [name, text] of [
    ['TAMS_CLIENT_URL_HOSTS_ALLOW', hosts.allow],
    ['TAMS_CLIENT_URL_HOSTS_DENY', hosts.deny],
  ] as const) {
    try {
      new HostList(text);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** The rule every path that takes a client's URL asks: segment POSTs, 8.2 object instances. */
export class ClientUrlRule {
  private readonly allow: HostList;
  private readonly deny: HostList;

  constructor(hosts: ClientUrlHosts = {}) {
    this.allow = new HostList(hosts.allow ?? '');
    this.deny = new HostList(hosts.deny ?? '');
  }

  /** Why `text`, given as `field` (`get_urls[0].url`), may not be stored; undefined if it may. */
  problem(field: string, text: string): string | undefined {
    const url = webUrl(text);
    if (url === undefined) {
      const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      return `${field}: only http and https URLs are taken (a URL readers can make a GET request to), not ${JSON.stringify(shown)}`;
    }
    const host = hostOf(url.hostname);
    if (this.deny.has(host) || (!this.allow.empty && !this.allow.has(host))) {
      return `${field}: host ${host} is not allowed for client URLs on this server`;
    }
    return undefined;
  }
}
