/**
 * `node --import tsx bench/auth.flood.ts [attempts=200] [one|many]`: issue 17's scenario. A
 * tams-server process (authentication required, one HTTP Basic user) receives `attempts` wrong
 * Basic passwords for that user at once, from one client address (`one`) or each from its own
 * (`many`, through X-Forwarded-For with TAMS_TRUST_PROXY); once they have all reached the server,
 * the real user logs in for the first time from another address, retrying after 429/503 as
 * Retry-After says. Prints the time to that user's first 200, the server's RSS growth (peak and
 * at the end) and what the wrong attempts were answered (each 401 is a scrypt check that ran), with
 * the time of one check alone beforehand for scale (the machine's other load shows in it).
 * Settings such as TAMS_AUTH_PASSWORD_CHECKS pass to the server from the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTams } from './bench.server.ts';

const attempts = Number(process.argv[2] ?? 200);
const spread = process.argv[3] === 'many' ? 'many' : 'one';
const USER = 'editor';
const PASSWORD = 'the real password';
const REAL_ADDRESS = '192.0.2.1';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const attackerAddress = (i: number) => (spread === 'one' ? '203.0.113.7' : `10.0.${i >> 8}.${i & 255}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const dir = mkdtempSync(join(tmpdir(), 'tams-bench-flood-'));
const server = await startTams(dir, {
  TAMS_TRUST_PROXY: 'true',
  TAMS_BOOTSTRAP_ADMIN_USER: USER,
  TAMS_BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
});

async function inFlight(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = /^tams_http_requests_in_flight (\d+)/m.exec(text)?.[1];
  // The scrape is itself in flight.
  return Math.max(0, Number(value ?? 0) - 1);
}

try {
  // What one scrypt check costs on this machine now (other load included), for scale.
  const probeStart = performance.now();
  const probe = await fetch(`${server.url}/flows`, {
    headers: { authorization: basic(USER, 'probe password'), 'x-forwarded-for': '198.51.100.200' },
  });
  await probe.arrayBuffer();
  const checkMs = performance.now() - probeStart;

  const rssBefore = server.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, server.rss());
  }, 20);

  const statuses = new Map<number, number>();
  let answered = 0;
  const attackStart = performance.now();
  const attack = Promise.all(
    Array.from({ length: attempts }, async (_, i) => {
      const res = await fetch(`${server.url}/flows`, {
        headers: { authorization: basic(USER, `wrong password ${i}`), 'x-forwarded-for': attackerAddress(i) },
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      answered++;
    }),
  );
  // The real user comes once every wrong attempt is at the server (answered or being handled).
  while (answered + (await inFlight()) < attempts) await sleep(10);

  const loginStart = performance.now();
  let tries = 0;
  for (;;) {
    tries++;
    const res = await fetch(`${server.url}/flows`, {
      headers: { authorization: basic(USER, PASSWORD), 'x-forwarded-for': REAL_ADDRESS },
    });
    await res.arrayBuffer();
    if (res.status === 200) break;
    if (res.status !== 429 && res.status !== 503) throw new Error(`real user: unexpected ${res.status}`);
    await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
  }
  const loginMs = performance.now() - loginStart;
  await attack;
  const attackMs = performance.now() - attackStart;
  clearInterval(sampler);
  peak = Math.max(peak, server.rss());

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${attempts} wrong Basic attempts from ${spread === 'one' ? 'one address' : `${attempts} addresses`}:`);
  out(`  one password check alone beforehand: ${(checkMs / 1000).toFixed(2)} s`);
  out(`  real user's first login: ${(loginMs / 1000).toFixed(2)} s (${tries} request(s))`);
  out(
    `  all wrong attempts answered after ${(attackMs / 1000).toFixed(2)} s: ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  out(
    `  server RSS: ${mib(rssBefore)} before, peak +${mib(peak - rssBefore)}, at the end +${mib(server.rss() - rssBefore)}`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
