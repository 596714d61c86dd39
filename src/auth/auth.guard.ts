import { isIPv6 } from 'node:net';
import { ExpiringCache } from './auth.cache.ts';
import { FailureCounter } from './auth.throttle.ts';

export interface GuardSettings {
  /** Wrong passwords one client address may send before its Basic attempts are refused. */
  clientFailures: number;
  /** Wrong passwords for one user name, from anywhere, before attempts for it are refused. */
  userFailures: number;
  /**
   * Password checks run at once (TAMS_AUTH_PASSWORD_CHECKS). One client address may have as
   * many under way and no more, so one address can never fill the queue ahead of others.
   */
  checks: number;
}

export type Admission =
  | {
      ok: true;
      /** The client has logged in as this user before: its check goes ahead of the others. */
      trusted: boolean;
      /** The attempt's outcome; `unchecked` when the password was never checked (queue full). */
      settle(outcome: 'success' | 'failure' | 'unchecked', now: number): void;
    }
  | { ok: false; retryAfterMs: number; reason: string };

const MINUTE = 60_000;
const COUNTER = { lockMs: 30_000, maxLockMs: 15 * MINUTE, windowMs: 15 * MINUTE, maxEntries: 20_000 };
/** How long a client address stays known for a user after a successful login, and how many. */
const KNOWN_MS = 30 * 24 * 60 * MINUTE;
const KNOWN_ENTRIES = 20_000;

/**
 * What a client address is counted as: an IPv4 address as it is, an IPv6 one by its /64 network
 * (a host is commonly given a whole /64 and may pick any address in it), IPv4-mapped IPv6 as IPv4.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  const address = ip.replace(/%.*$/, '');
  if (!isIPv6(address)) return ip;
  const [head = '', tail] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  // A dotted IPv4 tail stands for two groups.
  const width = (list: string[]) => list.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? 0 : 8 - width(left) - width(right);
  const full = [...left, ...Array<string>(zeros).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Throttling of HTTP Basic logins, decided before any scrypt runs (refusing is the point: each
 * check costs 128 MiB and ~0.3 s of a core). Failures are counted per client address and per
 * user name (existing or not, so refusals tell nothing about which names exist).
 *
 * The per-user lock must not let anyone lock a real user out: a client address the user has
 * logged in from before (remembered for 30 days) is exempt from it, and only the per-client
 * limit applies there. A success forgets the user's failures, not the client's: one known
 * account must not reset the count of a client guessing the passwords of others.
 */
export class BasicGuard {
  private readonly clients: FailureCounter;
  private readonly users: FailureCounter;
  private readonly known = new ExpiringCache<true>(KNOWN_ENTRIES);

  constructor(settings: GuardSettings) {
    this.clients = new FailureCounter({
      ...COUNTER,
      failures: settings.clientFailures,
      concurrent: settings.checks,
    });
    this.users = new FailureCounter({ ...COUNTER, failures: settings.userFailures });
  }

  admit(user: string, address: string, now: number): Admission {
    const client = clientKey(address);
    const pair = `${user}\0${client}`;
    const trusted = this.known.get(pair, now) === true;
    const clientWait = this.clients.wait(client, now);
    if (clientWait > 0) {
      return {
        ok: false,
        retryAfterMs: clientWait,
        reason: 'too many failed logins from this client address',
      };
    }
    const userWait = trusted ? 0 : this.users.wait(user, now);
    if (userWait > 0) {
      return { ok: false, retryAfterMs: userWait, reason: 'too many failed logins for this user name' };
    }
    this.clients.begin(client, now);
    this.users.begin(user, now);
    return {
      ok: true,
      trusted,
      settle: (outcome, at) => {
        this.clients.end(client, outcome === 'failure', at);
        this.users.end(user, outcome === 'failure', at);
        if (outcome === 'success') {
          this.users.reset(user);
          this.known.set(pair, true, at + KNOWN_MS, at);
        }
      },
    };
  }
}
