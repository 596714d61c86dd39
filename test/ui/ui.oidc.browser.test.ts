/**
 * Sign-in to the web UI with an OpenID provider, in Chromium: a real provider (oidc-provider,
 * ui.oidc.fixture.ts) on a loopback port, the tams-server trusting it for JWTs (issuer, JWKS,
 * audience) and offering it to the UI (TAMS_UI_OIDC_CLIENT_ID, TAMS_UI_OIDC_RESOURCE). The user
 * clicks "Sign in with …", signs in on the provider's own login and consent pages, and comes
 * back signed in with the provider's access token: the header names the principal and its
 * scopes, API calls carry the token, a user the provider grants fewer scopes sees fewer
 * controls, a forged answer (another state) is refused without exchanging its code, a sign-in
 * cancelled at the provider or a provider out of reach says so, and a token that expires ends
 * the session. Screenshots:
 * .tmp/ui-screenshots/oidc-*.png.
 */
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../../tools/chromium.ts';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { buildUi, screenshotPath } from './ui.fixture.ts';
import { CLIENT_ID, listenProvider, RESOURCE, type RunningProvider } from './ui.oidc.fixture.ts';
import { LAPTOP, newTab, PHONE, pageErrorsChecked } from './ui.tabs.ts';

declare const sessionStorage: { getItem(key: string): string | null };

const available = chromiumAvailable('web UI sign-in with OpenID browser tests');

/** The claims of a JWT (read here to show what the server was sent). */
function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe.skipIf(!available)('web UI sign-in with an OpenID provider', () => {
  let provider: RunningProvider;
  let server: TestServer;
  let browser: Browser;
  let scratch: ReturnType<typeof tempDir>;
  const pageErrors = pageErrorsChecked();

  beforeAll(async () => {
    scratch = tempDir('tams-ui-oidc-');
    const built = buildUi(`${scratch.path}/ui`);
    provider = await listenProvider();
    await built;
    server = await startAuthServer({
      TAMS_UI_DIR: `${scratch.path}/ui`,
      TAMS_JWT_ISSUER: provider.issuer,
      TAMS_JWT_JWKS_URL: provider.jwksUrl,
      TAMS_JWT_AUDIENCE: RESOURCE,
      TAMS_JWT_SCOPE_PREFIX: 'tams.',
      TAMS_UI_OIDC_CLIENT_ID: CLIENT_ID,
      TAMS_UI_OIDC_RESOURCE: RESOURCE,
    });
    await provider.start(`${server.url}/ui/signin/callback`);
    await createFlow(
      {
        ...server,
        put: (path, body, opts) => server.put(path, body, { ...opts, headers: bearer(ADMIN_TOKEN) }),
      },
      videoFlow({ label: 'signed-in test pattern' }),
    );
    browser = await launchChromium();
  }, SLOW_TEST_MS);

  afterAll(() => stopAll(browser, server, provider, scratch));

  const open = () => newTab(browser, pageErrors);

  /** On the provider's own pages: its login form (any password), then its consent. */
  async function logInAtProvider(page: Page, user: string, screenshots = false): Promise<void> {
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill(user);
    await page.locator('input[name="password"]').fill('any password');
    if (screenshots) await page.screenshot({ path: screenshotPath('oidc-provider-login') });
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    await consent.waitFor();
    if (screenshots) await page.screenshot({ path: screenshotPath('oidc-provider-consent') });
    await consent.click();
  }

  const providerButton = (page: Page) => page.getByRole('button', { name: /^Sign in with 127\.0\.0\.1:/ });

  it('signs in at the provider with PKCE and comes back with its access token', async () => {
    const { context, page } = await open();
    const toProvider: URL[] = [];
    const tokenRequests: Request[] = [];
    const apiAuth: (string | undefined)[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.origin === provider.issuer && url.pathname === '/auth') toProvider.push(url);
      if (url.origin === provider.issuer && url.pathname === '/token') tokenRequests.push(r);
      if (url.origin === server.url && url.pathname.startsWith('/tams/'))
        apiAuth.push(r.headers().authorization);
    });
    // A deep link: the sign-in page, then back to this page once signed in.
    await page.goto(`${server.url}/ui/flows?label=signed-in%20test%20pattern`);
    await providerButton(page).waitFor();
    await page.screenshot({ path: screenshotPath('oidc-signin') });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: screenshotPath('oidc-signin-phone') });
    await page.setViewportSize(LAPTOP);
    await providerButton(page).click();
    await logInAtProvider(page, 'alice', true);

    // Back in the UI, signed in, on the page the sign-in started from.
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.locator('table[data-testid="flows"] tbody tr').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/ui/flows');
    expect(new URL(page.url()).searchParams.get('label')).toBe('signed-in test pattern');
    const who = page.locator('.who span').first();
    expect(await who.textContent()).toBe('alice');
    expect((await who.getAttribute('title'))?.split(', ').sort()).toEqual([
      'admin',
      'delete',
      'read',
      'write',
    ]);
    // Admin's pages are offered (the token has `admin`).
    await page.getByRole('link', { name: 'Webhooks' }).waitFor();
    await page.screenshot({ path: screenshotPath('oidc-signed-in') });

    // The authorization request: code flow, S256 challenge, state, nonce, the resource.
    expect(toProvider).toHaveLength(1);
    const asked = toProvider[0]?.searchParams;
    expect(asked?.get('response_type')).toBe('code');
    expect(asked?.get('client_id')).toBe(CLIENT_ID);
    expect(asked?.get('code_challenge_method')).toBe('S256');
    expect(asked?.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked?.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked?.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked?.get('resource')).toBe(RESOURCE);
    expect(asked?.get('redirect_uri')).toBe(`${server.url}/ui/signin/callback`);
    // The code exchanged by the browser itself, with the verifier and no secret.
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]?.postData() ?? '');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(form.has('client_secret')).toBe(false);
    expect(tokenRequests[0]?.headers().authorization).toBeUndefined();

    // The access token (a JWT for this server) is what the API gets, and what the tab keeps.
    const token = await page.evaluate(() => sessionStorage.getItem('tams.token'));
    expect(token).not.toBeNull();
    expect(claims(token ?? '')).toMatchObject({ iss: provider.issuer, aud: RESOURCE, sub: 'alice' });
    expect(apiAuth.length).toBeGreaterThan(0);
    expect(new Set(apiAuth)).toEqual(new Set([`Bearer ${token}`]));
    const whoami = await server.get<{ scopes: string[] }>('/auth/whoami', { headers: bearer(token ?? '') });
    expect(whoami.status).toBe(200);
    // Nothing of the sign-in stays in the address bar or the tab's storage.
    expect(page.url()).not.toMatch(/code=|state=/);
    expect(await page.evaluate(() => sessionStorage.getItem('tams.oidc.pending'))).toBeNull();

    // A reload stays signed in; signing out forgets the token.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await providerButton(page).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token'))).toBeNull();
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token.expires'))).toBeNull();
    await context.close();
  });

  it("gives a user the provider grants `read` alone no admin's or writer's controls", async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/ui/`);
    await providerButton(page).click();
    await logInAtProvider(page, 'viewer');
    const who = page.locator('.who span').first();
    await who.waitFor();
    expect(await who.textContent()).toBe('viewer');
    expect(await who.getAttribute('title')).toBe('read');
    expect(await page.getByTestId('who-scopes').textContent()).toBe('read');
    await page.locator('table[data-testid="sources"] tbody tr').first().waitFor();
    // A reader's pages stay (its own webhooks, the deletion requests); the admin's do not show.
    expect(await page.getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Deletions' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('oidc-signed-in-viewer') });
    // The API refuses the token what the UI does not offer.
    const token = (await page.evaluate(() => sessionStorage.getItem('tams.token'))) ?? '';
    const tokens = await server.get('/auth/tokens', { headers: bearer(token) });
    expect(tokens.status).toBe(403);
    const write = await server.put('/flows/00000000-0000-4000-8000-000000000001', videoFlow(), {
      headers: bearer(token),
    });
    expect(write.status).toBe(403);
    await context.close();
  });

  it('refuses an answer whose state is not the one this tab sent, without using its code', async () => {
    const { context, page } = await open();
    const tokenRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).origin === provider.issuer && new URL(r.url()).pathname === '/token')
        tokenRequests.push(r.url());
    });
    // The provider's answer arrives with another state, as a forged or replayed one would: the
    // consent's redirects are followed here (Playwright routes no redirect), and the browser
    // sent to the answer with its real code and another state.
    let forged: URL | undefined;
    await page.route(
      (url) => url.origin === provider.issuer && url.pathname.startsWith('/interaction/'),
      async (route) => {
        const form = new URLSearchParams(route.request().postData() ?? '');
        if (route.request().method() !== 'POST' || form.get('prompt') !== 'consent') return route.continue();
        const consent = await route.fetch({ maxRedirects: 0 });
        const resume = new URL(consent.headers().location ?? '', provider.issuer);
        const answer = await context.request.get(resume.href, { maxRedirects: 0 });
        forged = new URL(answer.headers().location ?? '');
        forged.searchParams.set('state', 'a-state-this-tab-never-sent');
        await route.fulfill({ status: 303, headers: { location: forged.href } });
      },
    );
    await page.goto(`${server.url}/ui/`);
    await providerButton(page).click();
    await logInAtProvider(page, 'alice');
    // Back in the UI: signed out with the reason, or (were the state not checked) signed in.
    await page.locator('#signin-error, .who').first().waitFor();
    expect(await page.locator('#signin-error').textContent()).toMatch(/state differs/);
    expect(forged?.pathname).toBe('/ui/signin/callback');
    expect(forged?.searchParams.get('code')).toBeTruthy();
    expect(tokenRequests).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token'))).toBeNull();
    expect(new URL(page.url()).search).toBe('');
    await page.screenshot({ path: screenshotPath('oidc-forged-state') });
    await context.close();
  });

  it("says why when the user cancels at the provider's consent page", async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/ui/`);
    await providerButton(page).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('link', { name: /Cancel/ }).click();
    const error = page.locator('#signin-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^The identity provider did not sign you in: access_denied/);
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token'))).toBeNull();
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await context.close();
  });

  it('says so when the provider cannot be reached, and keeps the token form', async () => {
    // A server trusting an issuer nothing answers at (port 9, discard, is closed on loopback).
    const lost = await startAuthServer({
      TAMS_UI_DIR: `${scratch.path}/ui`,
      TAMS_JWT_ISSUER: 'http://127.0.0.1:9',
      TAMS_JWT_JWKS_URL: 'http://127.0.0.1:9/jwks',
      TAMS_JWT_AUDIENCE: RESOURCE,
      TAMS_UI_OIDC_CLIENT_ID: CLIENT_ID,
    });
    const { context, page } = await open();
    try {
      await page.goto(`${lost.url}/ui/`);
      await page.getByRole('button', { name: 'Sign in with 127.0.0.1:9' }).click();
      const error = page.locator('#signin-error');
      await error.waitFor();
      expect(await error.textContent()).toMatch(
        /^The identity provider cannot be reached at http:\/\/127\.0\.0\.1:9 .*is TAMS_JWT_ISSUER right/,
      );
      // Still on the sign-in page, the button usable again, the token form there.
      expect(new URL(page.url()).origin).toBe(lost.url);
      expect(await page.getByRole('button', { name: 'Sign in with 127.0.0.1:9' }).isEnabled()).toBe(true);
      await page.locator('#token').waitFor();
    } finally {
      await context.close();
      await lost.close();
    }
  });

  it('ends the session when the access token expires', async () => {
    const { context, page } = await open();
    await page.goto(`${server.url}/ui/`);
    await providerButton(page).click();
    // The provider gives `brief` tokens of a few seconds.
    await logInAtProvider(page, 'brief');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const expires = Number(await page.evaluate(() => sessionStorage.getItem('tams.token.expires')));
    expect(expires).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#signin-error').textContent()).toMatch(/expired/);
    expect(await page.evaluate(() => sessionStorage.getItem('tams.token'))).toBeNull();
    await providerButton(page).waitFor();
    await context.close();
  });
});
