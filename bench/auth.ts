/**
 * `node --import tsx bench/auth.ts`: what authentication costs per request. In-process timings
 * of Authenticator.authenticate per scheme (cached and first sight), then GET / (no store work) through
 * the app (inject) with TAMS_AUTH=none and with each scheme, the difference being the overhead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { buildApp } from '../src/app.ts';
import { readCredentials } from '../src/auth/auth.credentials.ts';
import { loadConfig } from '../src/config.ts';
import { buildRuntime } from '../src/deps.ts';

const N = 20_000;
const scratch = mkdtempSync(join(tmpdir(), 'tams-bench-auth-'));
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwk = JSON.stringify(await exportJWK(publicKey));
const sign = (sub: string) =>
  new SignJWT({ scope: 'read write' })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(sub)
    .setIssuer('iss')
    .setAudience('aud')
    .setExpirationTime('1h')
    .sign(privateKey);

async function runtimeWith(auth: 'none' | 'required') {
  const config = loadConfig({
    TAMS_AUTH: auth,
    TAMS_LOG_LEVEL: 'silent',
    TAMS_DATA_DIR: scratch,
    TAMS_BOOTSTRAP_ADMIN_TOKEN: 'tams_bench-token-0123456789abcdef',
    TAMS_BOOTSTRAP_ADMIN_USER: 'bench',
    TAMS_BOOTSTRAP_ADMIN_PASSWORD: 'bench password',
    TAMS_JWT_KEY: jwk,
    TAMS_JWT_ISSUER: 'iss',
    TAMS_JWT_AUDIENCE: 'aud',
  });
  const runtime = await buildRuntime(config, { memory: true });
  const app = await buildApp({ ...runtime, logger: false });
  await app.ready();
  return { runtime, app };
}

async function perCall(fn: () => Promise<unknown>, n = N): Promise<number> {
  for (let i = 0; i < Math.min(n, 2000); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - start) * 1000) / n;
}

const us = (v: number) => `${v.toFixed(1)} µs`;
const open = await runtimeWith('none');
const secured = await runtimeWith('required');
const auth = secured.runtime.auth.authenticator;
const token = 'tams_bench-token-0123456789abcdef';
const jwt = await sign('bench');
const basicHeader = `Basic ${Buffer.from('bench:bench password').toString('base64')}`;

const out = (line: string) => process.stdout.write(`${line}\n`);
out('Authenticator.authenticate (credentials parsed from the header included):');
out(
  `  opaque token, cached:  ${us(await perCall(() => auth.authenticate(readCredentials(`Bearer ${token}`, undefined))))}`,
);
secured.runtime.auth.authenticator.forget();
out(
  `  opaque token, store read each time: ${us(
    await perCall(async () => {
      auth.forget();
      return auth.authenticate(readCredentials(`Bearer ${token}`, undefined));
    }, 2000),
  )}`,
);
out(
  `  JWT (ES256), cached:   ${us(await perCall(() => auth.authenticate(readCredentials(`Bearer ${jwt}`, undefined))))}`,
);
const fresh = await Promise.all(Array.from({ length: 2000 }, (_, i) => sign(`u${i}`)));
let i = 0;
out(
  `  JWT (ES256), first verification: ${us(await perCall(() => auth.authenticate(readCredentials(`Bearer ${fresh[i++ % fresh.length]}`, undefined)), 1000))}`,
);
out(
  `  Basic, cached:         ${us(await perCall(() => auth.authenticate(readCredentials(basicHeader, undefined))))}`,
);
auth.forget();
out(
  `  Basic, first check (scrypt N=2^17): ${us(
    await perCall(async () => {
      auth.forget();
      return auth.authenticate(readCredentials(basicHeader, undefined));
    }, 5),
  )}`,
);

out('GET / through the app (inject):');
const get = (app: typeof open.app, headers: Record<string, string>) => () =>
  app.inject({ method: 'GET', url: '/', headers });
const base = await perCall(get(open.app, {}));
out(`  TAMS_AUTH=none:        ${us(base)}`);
for (const [name, headers] of [
  ['opaque bearer', { authorization: `Bearer ${token}` }],
  ['JWT bearer', { authorization: `Bearer ${jwt}` }],
  ['Basic', { authorization: basicHeader }],
] as const) {
  const t = await perCall(get(secured.app, headers));
  out(`  ${name.padEnd(21)} ${us(t)} (+${us(t - base)})`);
}
for (const r of [open, secured]) {
  await r.app.close();
  await r.runtime.close();
}
rmSync(scratch, { recursive: true, force: true });
