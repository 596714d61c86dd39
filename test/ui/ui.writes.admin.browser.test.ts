/**
 * The web UI's webhook and API token management in headless Chromium: webhooks registered,
 * changed and removed (TAMS 8.2's, by id), by administrators and by a principal managing its
 * own; API tokens issued (the value shown once and copied), listed and revoked. Each action is
 * read back through the API; principals without a scope see no control for it, and the API
 * refuses them the same requests. Screenshots go to .tmp/ui-screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../tools/chromium.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { screenshotPath } from './ui.fixture.ts';
import {
  bearer,
  openSignedIn,
  read,
  refused,
  startWritesRig,
  V82,
  type WritesRig,
} from './ui.writes.fixture.ts';

/** The page's clipboard, read in Chromium (this project is typed for Node: no DOM library). */
declare const navigator: { clipboard: { readText(): Promise<string> } };

const available = chromiumAvailable('web UI webhooks and tokens');
const HOOKS = 'http://127.0.0.1:9/hooks';

interface WebhookDoc {
  id: string;
  url: string;
  events: string[];
  status: string;
  api_key_name?: string;
  flow_ids?: string[];
  tags?: Record<string, string | string[]>;
  owner?: string;
}

interface TokenDoc {
  id: string;
  name: string;
  scopes: string[];
  revoked?: string;
}

describe.skipIf(!available)('web UI webhooks and API tokens', () => {
  let rig: WritesRig;
  beforeAll(async () => {
    rig = await startWritesRig({ TAMS_WEBHOOK_ALLOW: '127.0.0.1' });
  }, SLOW_TEST_MS);
  afterAll(async () => rig?.close());
  afterEach(() => {
    expect(rig.pageErrors.splice(0)).toEqual([]);
  });

  const webhooks = (token = rig.tokens.admin) => read<WebhookDoc[]>(rig, `${V82}/service/webhooks`, token);

  it('registers, changes and removes a webhook, read back through the API', async () => {
    const flowId = randomUUID();
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhook is registered.').waitFor();
    await page.getByRole('button', { name: 'New webhook' }).click();
    let dialog = page.getByTestId('webhook-dialog');
    await dialog.getByLabel('URL the events are POSTed to').fill(`${HOOKS}/a`);
    await dialog.getByLabel('flows/created').check();
    await dialog.getByLabel('sources/updated').check();
    await dialog.getByLabel('API key header').fill('X-Hook-Key');
    await dialog.getByLabel(/^API key value/).fill('secret-1');
    await dialog.getByLabel('Only these Flows (ids, one per line)').fill(flowId);
    await dialog.getByRole('button', { name: 'Add a tag' }).click();
    await dialog.getByLabel('Name').fill('teams');
    await dialog.getByLabel('Kind').selectOption('list');
    await dialog.getByLabel('Items, one per line').fill('news\nsport');
    await page.screenshot({ path: screenshotPath('writes-webhook-new') });
    await dialog.getByRole('button', { name: 'Register' }).click();
    const rows = page.locator('table[data-testid="webhooks"] tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    let [hook] = await webhooks();
    expect(hook).toMatchObject({
      url: `${HOOKS}/a`,
      status: 'created',
      api_key_name: 'X-Hook-Key',
      flow_ids: [flowId],
      tags: { teams: ['news', 'sport'] },
    });
    expect([...(hook?.events ?? [])].sort()).toEqual([
      'flows/created',
      'flows/segments_added',
      'sources/updated',
    ]);
    await page.screenshot({ path: screenshotPath('writes-webhooks') });

    await page.getByRole('button', { name: `Edit webhook ${HOOKS}/a` }).click();
    dialog = page.getByTestId('webhook-dialog');
    await dialog.getByLabel('URL the events are POSTed to').fill(`${HOOKS}/b`);
    await dialog.getByLabel('flows/segments_added').uncheck();
    await dialog.getByLabel('Deliveries').selectOption('disabled');
    await dialog.getByLabel('Items, one per line').fill('news');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.locator('table[data-testid="webhooks"]').getByText(`${HOOKS}/b`).waitFor();
    [hook] = await webhooks();
    // What the form does not change stays: the API key's header, the Flow filter.
    expect(hook).toMatchObject({
      url: `${HOOKS}/b`,
      status: 'disabled',
      api_key_name: 'X-Hook-Key',
      flow_ids: [flowId],
      tags: { teams: ['news'] },
    });
    expect([...(hook?.events ?? [])].sort()).toEqual(['flows/created', 'sources/updated']);

    await page.getByRole('button', { name: `Remove webhook ${HOOKS}/b` }).click();
    await page
      .getByTestId('remove-webhook-dialog')
      .getByText(hook?.id ?? '')
      .waitFor();
    await page.screenshot({ path: screenshotPath('writes-webhook-remove') });
    await page.getByTestId('remove-webhook-dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No webhook is registered.').waitFor();
    expect(await webhooks()).toEqual([]);
    await read(rig, `${V82}/service/webhooks/${hook?.id}`, undefined, 404);
    await context.close();
  });

  it('keeps the API key a webhook was registered with when it is edited without one', async () => {
    const receiver = await startReceiver();
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    try {
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('button', { name: 'New webhook' }).click();
      let dialog = page.getByTestId('webhook-dialog');
      await dialog.getByLabel('URL the events are POSTed to').fill(receiver.url);
      await dialog.getByLabel('sources/created').check();
      await dialog.getByLabel('API key header').fill('X-Hook-Key');
      await dialog.getByLabel(/^API key value/).fill('secret-kept');
      await dialog.getByRole('button', { name: 'Register' }).click();
      // Edited without a key value (the API never shows it): the stored one stays.
      await page.getByRole('button', { name: `Edit webhook ${receiver.url}` }).click();
      dialog = page.getByTestId('webhook-dialog');
      await dialog.getByLabel('flows/segments_added').uncheck();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
      const [hook] = await webhooks();
      expect(hook?.events).toEqual(['sources/created']);
      // A Flow of a new Source: the Source is made with it (sources/created).
      const flow = randomUUID();
      const made = await rig.server.put(
        `${V82}/flows/${flow}`,
        { id: flow, source_id: randomUUID(), format: 'urn:x-nmos:format:multi', container: 'video/mp2t' },
        bearer(rig.tokens.admin),
      );
      expect(made.status, made.text).toBe(201);
      const [event] = await receiver.waitAccepted(1);
      expect(event?.event_type).toBe('sources/created');
      expect(receiver.deliveries[0]?.headers['x-hook-key']).toBe('secret-kept');
    } finally {
      await context.close();
      for (const hook of await webhooks()) {
        await rig.server.delete(`${V82}/service/webhooks/${hook.id}`, bearer(rig.tokens.admin));
      }
      await receiver.close();
    }
  });

  it("shows the API's error when it refuses a webhook", async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByTestId('webhook-dialog');
    // A private address the server does not allow (TAMS_WEBHOOK_ALLOW).
    await dialog.getByLabel('URL the events are POSTed to').fill('http://10.1.2.3/hook');
    await dialog.getByRole('button', { name: 'Register' }).click();
    const shown = await dialog.getByTestId('write-error').textContent();
    const answer = await rig.server.post<{ summary: string }>(
      `${V82}/service/webhooks`,
      { url: 'http://10.1.2.3/hook', events: ['flows/segments_added'], status: 'created', tags: {} },
      bearer(rig.tokens.admin),
    );
    expect(answer.status).toBe(400);
    expect(shown).toContain(`400 ${answer.body.summary}`);
    await page.screenshot({ path: screenshotPath('writes-webhook-error') });
    expect(await webhooks()).toEqual([]);
    await context.close();
  });

  it('lets a writer manage its own webhooks, without remove unless it may delete', async () => {
    const { editor, reader } = rig.tokens;
    const { context, page } = await openSignedIn(rig, editor);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Your webhooks' }).waitFor();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const dialog = page.getByTestId('webhook-dialog');
    await dialog.getByLabel('URL the events are POSTed to').fill(`${HOOKS}/editor`);
    await dialog.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('button', { name: `Edit webhook ${HOOKS}/editor` }).waitFor();
    expect(await page.getByRole('button', { name: /^Remove webhook/ }).count()).toBe(0);
    const [own] = await webhooks(editor);
    expect(own).toMatchObject({ url: `${HOOKS}/editor`, owner: 'ui-editor' });
    await refused(rig, 'DELETE', `${V82}/service/webhooks/${own?.id}`, editor);
    await context.close();

    // A reader sees its own webhooks (none), and is offered no registration: the API refuses it.
    const tab = await openSignedIn(rig, reader);
    await tab.page.getByRole('link', { name: 'Webhooks' }).click();
    await tab.page.getByText('No webhook is registered.').waitFor();
    expect(await tab.page.getByRole('button', { name: 'New webhook' }).count()).toBe(0);
    await refused(rig, 'POST', `${V82}/service/webhooks`, reader, {
      url: `${HOOKS}/reader`,
      events: ['flows/created'],
    });
    await tab.context.close();
    await rig.server.delete(`${V82}/service/webhooks/${own?.id}`, bearer(rig.tokens.admin));
  });

  it('issues a token shown once and copied, lists it and revokes it', async () => {
    const { context, page } = await openSignedIn(rig, rig.tokens.admin);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.server.url });
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.locator('table[data-testid="tokens"] tr[data-token="ui-editor"]').waitFor();
    const form = page.getByTestId('new-token');
    await form.getByLabel('Name', { exact: true }).fill('ui-made');
    await form.getByLabel('write').check();
    await form.getByLabel('Validity').selectOption({ label: '1 day' });
    await page.screenshot({ path: screenshotPath('writes-tokens'), fullPage: true });
    await form.getByRole('button', { name: 'Issue token' }).click();
    const issued = page.getByTestId('issued-token');
    const value = await issued.locator('#issued-value').inputValue();
    expect(value).toMatch(/^tams_/);
    await issued.getByRole('button', { name: 'Copy' }).click();
    await issued.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    await page.screenshot({ path: screenshotPath('writes-token-issued') });
    const who = await read<{ name: string; scopes: string[] }>(rig, '/auth/whoami', value);
    expect(who).toEqual({
      name: 'ui-made',
      scopes: ['read', 'write'],
      scheme: 'token',
      scope_map: 'methods',
    });
    // Shown this once: gone from the page once the dialog is closed.
    await issued.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('table[data-testid="tokens"] tr[data-token="ui-made"]');
    await row.getByText('active').waitFor();
    expect(await page.content()).not.toContain(value);

    await row.getByRole('button', { name: 'Revoke token ui-made' }).click();
    const revoke = page.getByTestId('revoke-dialog');
    await revoke.getByText(/are refused from now on/).waitFor();
    await page.screenshot({ path: screenshotPath('writes-token-revoke') });
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').first().waitFor();
    const tokens = await read<TokenDoc[]>(rig, '/auth/tokens');
    expect(tokens.find((t) => t.name === 'ui-made')?.revoked).toBeDefined();
    await read(rig, '/auth/whoami', value, 401);
    // Revoking the token the tab signed in with would sign it out: the dialog says so.
    await page.getByRole('button', { name: 'Revoke token bootstrap-admin' }).click();
    await revoke.getByText(/revoking it signs you out/).waitFor();
    await revoke.getByRole('button', { name: 'Cancel' }).click();
    await revoke.waitFor({ state: 'detached' });
    await context.close();
  });

  it('offers tokens to administrators only; the API refuses others', async () => {
    const { editor } = rig.tokens;
    const { context, page } = await openSignedIn(rig, editor);
    expect(await page.getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    await page.goto(`${rig.server.url}/ui/tokens`);
    await page.getByRole('heading', { name: 'API tokens are for administrators' }).waitFor();
    await refused(rig, 'GET', '/auth/tokens', editor);
    await refused(rig, 'POST', '/auth/tokens', editor, { name: 'sneaky', scopes: ['admin'] });
    const [first] = await read<TokenDoc[]>(rig, '/auth/tokens');
    await refused(rig, 'DELETE', `/auth/tokens/${first?.id}`, editor);
    await context.close();
  });
});
