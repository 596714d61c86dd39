/**
 * Secrets never reach the logs: API tokens, passwords (and their Basic encoding), JWTs and
 * access_token query values, whether the credentials are accepted or refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { buildRuntime, type Runtime } from '../../src/deps.ts';
import { loggerOptions } from '../../src/http/logging.ts';
import type { App } from '../../src/http/types.ts';
import { tempDir } from '../helpers/server.ts';
import {
  ADMIN_PASSWORD,
  ADMIN_TOKEN,
  ADMIN_USER,
  JWT_CLAIMS_ENV,
  type SigningKey,
  signingKey,
  signJwt,
} from './auth.fixture.ts';

const lines: string[] = [];
const dir = tempDir('tams-auth-logs-');
let runtime: Runtime;
let app: App;
let url: string;
let key: SigningKey;

beforeAll(async () => {
  key = await signingKey('logs');
  const config = loadConfig({
    TAMS_AUTH: 'required',
    TAMS_DATA_DIR: dir.path,
    TAMS_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
    TAMS_BOOTSTRAP_ADMIN_USER: ADMIN_USER,
    TAMS_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    TAMS_JWT_KEY: key.pem,
    ...JWT_CLAIMS_ENV,
  });
  runtime = await buildRuntime(config, { memory: true });
  app = await buildApp({
    ...runtime,
    logger: { ...loggerOptions('trace'), stream: { write: (line: string) => lines.push(line) } },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await app.close();
  await runtime.close();
  dir.remove();
});

it('holds no token, password, JWT or access_token value, accepted or refused', async () => {
  const jwt = await signJwt(key);
  const expiredJwt = await signJwt(key, { expiresIn: -3600 });
  const wrongToken = 'tams_wrong-token-that-must-not-be-logged';
  const wrongPassword = 'not the password at all';
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  const send = async (path: string, authorization?: string, init: RequestInit = {}) => {
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: { ...(authorization ? { authorization } : {}), ...(init.headers as Record<string, string>) },
    });
    return { status: res.status, text: await res.text() };
  };

  expect((await send('/flows', `Bearer ${ADMIN_TOKEN}`)).status).toBe(200);
  expect((await send('/flows', `Bearer ${wrongToken}`)).status).toBe(401);
  expect((await send('/flows', basic(ADMIN_USER, ADMIN_PASSWORD))).status).toBe(200);
  expect((await send('/flows', basic(ADMIN_USER, wrongPassword))).status).toBe(401);
  expect((await send('/flows', `Bearer ${jwt}`)).status).toBe(200);
  expect((await send('/flows', `Bearer ${expiredJwt}`)).status).toBe(401);
  expect((await send(`/flows?access_token=${ADMIN_TOKEN}&limit=1`)).status).toBe(200);
  expect((await send(`/flows?limit=1&access_token=${wrongToken}`)).status).toBe(401);
  expect((await send(`/sources?access_token=${jwt}`)).status).toBe(200);
  // Issuing credentials over HTTP: the new token and password are in bodies, never logged.
  const issued = await send('/auth/tokens', `Bearer ${ADMIN_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'logged', scopes: ['read'] }),
  });
  expect(issued.status).toBe(201);
  const newToken = (JSON.parse(issued.text) as { token: string }).token;
  const newPassword = 'a brand new password';
  const user = await send('/auth/users', `Bearer ${ADMIN_TOKEN}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'logged-user', password: newPassword, scopes: ['read'] }),
  });
  expect(user.status).toBe(201);

  const text = lines.join('\n');
  // The log did record these requests and refusals, so its silence about secrets means something.
  expect(text).toContain('access_token=[REDACTED]');
  expect(text).toContain('authentication failed');
  expect(text).toContain('/auth/tokens');
  const secrets = [
    ADMIN_TOKEN,
    wrongToken,
    ADMIN_PASSWORD,
    wrongPassword,
    jwt,
    expiredJwt,
    newToken,
    newPassword,
    Buffer.from(`${ADMIN_USER}:${ADMIN_PASSWORD}`).toString('base64'),
    Buffer.from(`${ADMIN_USER}:${wrongPassword}`).toString('base64'),
  ];
  for (const secret of secrets) expect(text).not.toContain(secret);
  // Not even the signature part of a JWT.
  for (const token of [jwt, expiredJwt]) expect(text).not.toContain(token.split('.')[2]);
});
