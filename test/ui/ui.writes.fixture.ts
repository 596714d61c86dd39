/**
 * Support of the write actions' browser tests (ui.writes*.browser.test.ts): a server with
 * authentication on serving the UI built from the current sources, tokens of three kinds of
 * principal, tabs signed in with them, and reads through the API to check what a UI action did.
 */
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { buildUi } from './ui.fixture.ts';
import { LAPTOP, newTab, PHONE, signIn, type Tab } from './ui.tabs.ts';

export { LAPTOP, PHONE };
export const V82 = '/tams/v8.2';

/** Every scope (the bootstrap token), read and write (no delete, no admin), and read alone. */
export interface Principals {
  admin: string;
  editor: string;
  reader: string;
}

export interface WritesRig {
  server: TestServer;
  browser: Browser;
  tokens: Principals;
  /** Errors the pages raised: each test's afterEach expects none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startWritesRig(env: Record<string, string> = {}): Promise<WritesRig> {
  const scratch = tempDir('tams-ui-writes-');
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  try {
    await buildUi(`${scratch.path}/ui`);
    server = await startAuthServer({ TAMS_UI_DIR: `${scratch.path}/ui`, ...env });
    const admin = server.runtime.auth.admin;
    const editor = (await admin.createToken({ name: 'ui-editor', scopes: ['read', 'write'] })).token;
    const reader = (await admin.createToken({ name: 'ui-reader', scopes: ['read'] })).token;
    browser = await launchChromium();
    const started = { server, browser };
    return {
      ...started,
      tokens: { admin: ADMIN_TOKEN, editor, reader },
      pageErrors: [],
      close: () => stopAll(started.browser, started.server, scratch),
    };
  } catch (error) {
    await stopAll(browser, server, scratch);
    throw error;
  }
}

/** A new tab (own sessionStorage) signed in with `token`, its errors recorded in the rig. */
export async function openSignedIn(rig: WritesRig, token: string, viewport = LAPTOP): Promise<Tab> {
  const tab = await newTab(rig.browser, rig.pageErrors, { viewport });
  await signIn(tab.page, rig.server.url, token);
  return tab;
}

export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** GET through the API as `token`, expecting `status` (200 by default). */
export async function read<T>(rig: WritesRig, path: string, token = ADMIN_TOKEN, status = 200): Promise<T> {
  const res = await rig.server.get<T>(path, bearer(token));
  expect(res.status, `GET ${path}: ${res.text}`).toBe(status);
  return res.body;
}

/** A request the API must refuse for lack of scope: 403 with the TAMS error body. */
export async function refused(
  rig: WritesRig,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<void> {
  const res = await rig.server.request<{ type?: string; summary?: string }>(method, path, {
    ...bearer(token),
    ...(body !== undefined && { body }),
  });
  expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
  expect(res.body.summary).toMatch(/Insufficient scope/);
}
